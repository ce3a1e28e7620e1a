package dev.rebound.common.runtime;

import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Service configuration: defaults &lt; YAML file &lt; environment &lt; explicit overrides, read once.
 *
 * <p>Keys are dotted and lower-case ({@code ledger.lease-ms}); a nested YAML document is flattened
 * to such keys. Each key has one environment variable: upper-cased, {@code .} and {@code -} turned
 * into {@code _}, prefixed with {@code REBOUND_} ({@code REBOUND_LEDGER_LEASE_MS}). An empty
 * environment variable counts as unset. The defaults live at the call site of each typed getter,
 * next to the code that uses the value.
 *
 * <p>PostgreSQL also honours the standard libpq variables ({@code PGHOST}, {@code PGPORT},
 * {@code PGDATABASE}, {@code PGUSER}, {@code PGPASSWORD}): they beat the YAML file and the
 * defaults, and lose to {@code REBOUND_PG_*}.
 *
 * <p>Secrets ({@link #secret(String)}, {@code pg.password}, and any key whose name looks like a
 * password, token, key or webhook) are never printed: {@link #describe()}, {@link #toString()} and
 * every {@link ConfigException} mask them.
 *
 * <p>Instances are immutable apart from the record of which keys were read (for {@link
 * #describe()}), and safe to share between threads.
 */
public final class Settings {

  public static final String ENV_PREFIX = "REBOUND_";
  /** The environment variable naming the YAML file read by {@link #fromEnvironment()}. */
  public static final String CONFIG_FILE_ENV = "REBOUND_CONFIG";
  /** Suffix of the environment variable that names a file holding a secret. */
  public static final String FILE_SUFFIX = "_FILE";

  private static final String MASK = "****";
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(password|passwd|secret|token|credential|api[-_.]?key|private[-_.]?key|routing[-_.]?key|webhook).*");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private final Map<String, String> env;
  private final Optional<Path> yamlFile;
  /** Flattened YAML: values are String or List&lt;String&gt;. */
  private final Map<String, Object> yaml;
  private final Map<String, String> overrides;
  private final Set<String> secretKeys = ConcurrentHashMap.newKeySet();
  /** key -> "rendered value (source)" for every key read through a getter. */
  private final Map<String, String> reads = new ConcurrentSkipListMap<>();

  private Settings(Map<String, String> env, Optional<Path> yamlFile, Map<String, Object> yaml,
      Map<String, String> overrides) {
    this.env = env;
    this.yamlFile = yamlFile;
    this.yaml = yaml;
    this.overrides = overrides;
  }

  // ------------------------------------------------------------------ construction

  /** Settings from the given environment and optional YAML file (missing or bad file: error). */
  public static Settings load(Map<String, String> env, Optional<Path> yamlFile) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(yamlFile, "yamlFile");
    Map<String, Object> yaml = yamlFile.map(Settings::readYaml).orElse(Map.of());
    return new Settings(Map.copyOf(withoutNullValues(env)), yamlFile, yaml, Map.of());
  }

  /** {@code System.getenv()} plus the YAML file named by {@code REBOUND_CONFIG}, when set. */
  public static Settings fromEnvironment() {
    Map<String, String> env = System.getenv();
    String file = env.get(CONFIG_FILE_ENV);
    Optional<Path> yamlFile = file == null || file.isBlank()
        ? Optional.empty() : Optional.of(Path.of(file.trim()));
    return load(env, yamlFile);
  }

  /** Empty settings: every getter returns its default. */
  public static Settings empty() {
    return load(Map.of(), Optional.empty());
  }

  /** A copy where the given keys beat every other source (tests, command-line flags). */
  public Settings withOverrides(Map<String, String> more) {
    Map<String, String> merged = new HashMap<>(overrides);
    merged.putAll(withoutNullValues(more));
    return new Settings(env, yamlFile, yaml, Map.copyOf(merged));
  }

  // ------------------------------------------------------------------ naming

  /** The environment variable that sets {@code key}: {@code a.b-c} becomes {@code REBOUND_A_B_C}. */
  public static String envVar(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  // ------------------------------------------------------------------ typed getters

  public String string(String key, String def) {
    Resolved r = resolve(key);
    return record(key, r == null ? def : r.value(), r);
  }

  public String requiredString(String key) {
    Resolved r = resolve(key);
    if (r == null || r.value().isBlank()) {
      throw new ConfigException(key, "Missing required configuration '" + key + "': set env "
          + envVar(key) + " or '" + key + "' in the YAML file");
    }
    return record(key, r.value(), r);
  }

  public int integer(String key, int def, int min, int max) {
    return (int) longOf(key, def, min, max, "an integer");
  }

  public long longValue(String key, long def, long min, long max) {
    return longOf(key, def, min, max, "an integer");
  }

  /** Accepts true/false/yes/no/1/0 (any case). */
  public boolean bool(String key, boolean def) {
    return boolOf(resolve(key), key, def);
  }

  /** Accepts plain milliseconds ({@code 1500}) or a number with a unit: ms, s, m, h, d. */
  public Duration duration(String key, Duration def) {
    Resolved r = resolve(key);
    if (r == null) {
      record(key, def.toString(), null);
      return def;
    }
    Duration d = parseDuration(r.value());
    if (d == null) {
      throw invalid(key, r, "a non-negative duration such as 1500 (ms), 500ms, 30s, 5m, 2h or 7d");
    }
    record(key, r.value(), r);
    return d;
  }

  /** A comma-separated string or a YAML list; blank items are dropped. */
  public List<String> list(String key, List<String> def) {
    Resolved r = resolve(key);
    if (r == null) {
      record(key, String.join(",", def), null);
      return List.copyOf(def);
    }
    List<String> items = r.list() != null ? r.list() : splitList(r.value());
    record(key, String.join(",", items), r);
    return items;
  }

  /**
   * A secret: an override, the environment variable, the contents of the file named by
   * {@code <VAR>_FILE} (trailing newline stripped), or the YAML file, in that order. The key is
   * remembered as secret so that {@link #describe()} masks it.
   */
  public Optional<String> secret(String key) {
    return secretOf(key);
  }

  // ------------------------------------------------------------------ PostgreSQL

  /**
   * Connection options for the service's PostgreSQL: {@code pg.host} (127.0.0.1), {@code pg.port}
   * (5432), {@code pg.database} (postgres), {@code pg.user} (postgres), {@code pg.password}
   * (secret), {@code pg.pipelining-limit} (256), {@code pg.reconnect-attempts} (2),
   * {@code pg.reconnect-interval} (500ms), {@code pg.cache-prepared-statements} (true). The
   * standard {@code PG*} variables beat YAML and defaults; {@code REBOUND_PG_*} beats {@code PG*}.
   */
  public PgConnectOptions pgConnectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(stringOf("pg.host", "127.0.0.1", "PGHOST"))
        .setPort((int) longOf("pg.port", 5432, 1, 65535, "a TCP port", "PGPORT"))
        .setDatabase(stringOf("pg.database", "postgres", "PGDATABASE"))
        .setUser(stringOf("pg.user", "postgres", "PGUSER"))
        .setPipeliningLimit(integer("pg.pipelining-limit", 256, 1, 65536))
        .setReconnectAttempts(integer("pg.reconnect-attempts", 2, 0, 1000))
        .setReconnectInterval(duration("pg.reconnect-interval", Duration.ofMillis(500)).toMillis())
        .setCachePreparedStatements(bool("pg.cache-prepared-statements", true));
    secretOf("pg.password", "PGPASSWORD").ifPresent(options::setPassword);
    return options;
  }

  /** Connections per pool: {@code pg.pool-size}, default 8. */
  public int pgPoolSize() {
    return integer("pg.pool-size", 8, 1, 1000);
  }

  // ------------------------------------------------------------------ description

  /**
   * One line for the startup log: every key read so far and every key present in the YAML file or
   * the overrides, with its value and where it came from; secrets are masked.
   */
  public String describe() {
    Map<String, String> lines = new TreeMap<>(reads);
    yaml.forEach((k, v) -> lines.computeIfAbsent(k, key -> render(key,
        v instanceof List<?> l ? l.stream().map(String::valueOf).collect(Collectors.joining(","))
            : String.valueOf(v), "yaml")));
    overrides.forEach((k, v) -> lines.computeIfAbsent(k, key -> render(key, v, "override")));
    Set<String> knownVars = lines.keySet().stream().map(Settings::envVar).collect(Collectors.toSet());
    env.forEach((var, v) -> {
      if (var.startsWith(ENV_PREFIX) && !var.equals(CONFIG_FILE_ENV) && !knownVars.contains(var)
          && !(var.endsWith(FILE_SUFFIX)
              && knownVars.contains(var.substring(0, var.length() - FILE_SUFFIX.length())))) {
        lines.put("env " + var, (SECRET_NAME.matcher(var).matches() ? MASK : v) + " (unread)");
      }
    });
    String body = lines.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
    return "settings" + yamlFile.map(p -> " [yaml " + p + "]").orElse("") + ": " + body;
  }

  /** Never prints values, so it is safe to log by accident. */
  @Override
  public String toString() {
    return "Settings{yaml=" + yamlFile.map(Path::toString).orElse("none")
        + ", yamlKeys=" + new TreeMap<>(yaml).keySet()
        + ", overrides=" + new TreeMap<>(overrides).keySet() + "}";
  }

  // ------------------------------------------------------------------ internals

  /** A value found in some source; {@code list} is non-null only for a YAML list. */
  private record Resolved(String value, List<String> list, String source) {
  }

  private Resolved resolve(String key, String... standardVars) {
    String o = overrides.get(key);
    if (o != null) {
      return new Resolved(o, null, "override");
    }
    String var = envVar(key);
    String e = env.get(var);
    if (e != null && !e.isBlank()) {
      return new Resolved(e.trim(), null, "env " + var);
    }
    for (String std : standardVars) {
      String s = env.get(std);
      if (s != null && !s.isBlank()) {
        return new Resolved(s.trim(), null, "env " + std);
      }
    }
    Object y = yaml.get(key);
    if (y instanceof List<?> l) {
      List<String> items = l.stream().map(String::valueOf).map(String::trim)
          .filter(s -> !s.isEmpty()).toList();
      return new Resolved(String.join(",", items), items, "yaml");
    }
    if (y != null) {
      return new Resolved(String.valueOf(y).trim(), null, "yaml");
    }
    return null;
  }

  private String stringOf(String key, String def, String... standardVars) {
    Resolved r = resolve(key, standardVars);
    return record(key, r == null ? def : r.value(), r);
  }

  private long longOf(String key, long def, long min, long max, String what, String... standardVars) {
    Resolved r = resolve(key, standardVars);
    if (r == null) {
      record(key, Long.toString(def), null);
      return def;
    }
    long v;
    try {
      v = Long.parseLong(r.value().replace("_", ""));
    } catch (NumberFormatException ex) {
      throw invalid(key, r, what + " between " + min + " and " + max);
    }
    if (v < min || v > max) {
      throw invalid(key, r, what + " between " + min + " and " + max);
    }
    record(key, r.value(), r);
    return v;
  }

  private boolean boolOf(Resolved r, String key, boolean def) {
    if (r == null) {
      record(key, Boolean.toString(def), null);
      return def;
    }
    Boolean b = switch (r.value().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> Boolean.TRUE;
      case "false", "no", "0" -> Boolean.FALSE;
      default -> null;
    };
    if (b == null) {
      throw invalid(key, r, "one of true, false, yes, no, 1, 0");
    }
    record(key, r.value(), r);
    return b;
  }

  private Optional<String> secretOf(String key, String... standardVars) {
    secretKeys.add(key);
    String o = overrides.get(key);
    if (o != null) {
      record(key, o, new Resolved(o, null, "override"));
      return Optional.of(o);
    }
    String var = envVar(key);
    String e = env.get(var);
    if (e != null && !e.isEmpty()) {
      record(key, e, new Resolved(e, null, "env " + var));
      return Optional.of(e);
    }
    String fileVar = var + FILE_SUFFIX;
    String file = env.get(fileVar);
    if (file != null && !file.isBlank()) {
      Path path = Path.of(file.trim());
      try {
        String content = Files.readString(path, StandardCharsets.UTF_8);
        String value = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
            : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        record(key, value, new Resolved(value, null, "file " + path + " (env " + fileVar + ")"));
        return Optional.of(value);
      } catch (IOException ex) {
        throw new ConfigException(key, "Invalid configuration '" + key + "': env " + fileVar
            + " names the file '" + path + "', which cannot be read ("
            + ex.getClass().getSimpleName() + "); expected a readable file holding the secret", ex);
      }
    }
    for (String std : standardVars) {
      String s = env.get(std);
      if (s != null && !s.isEmpty()) {
        record(key, s, new Resolved(s, null, "env " + std));
        return Optional.of(s);
      }
    }
    Object y = yaml.get(key);
    if (y != null && !(y instanceof List<?>)) {
      String value = String.valueOf(y);
      record(key, value, new Resolved(value, null, "yaml"));
      return Optional.of(value);
    }
    record(key, "(unset)", null);
    return Optional.empty();
  }

  private boolean isSecret(String key) {
    return secretKeys.contains(key) || SECRET_NAME.matcher(key).matches();
  }

  private String record(String key, String value, Resolved r) {
    reads.put(key, render(key, value, r == null ? "default" : r.source()));
    return value;
  }

  private String render(String key, String value, String source) {
    if (isSecret(key) && !"(unset)".equals(value)) {
      value = MASK;
    }
    return value + " (" + source + ")";
  }

  private ConfigException invalid(String key, Resolved r, String expected) {
    String shown = isSecret(key) ? MASK : "'" + r.value() + "'";
    return new ConfigException(key, "Invalid configuration '" + key + "' (env " + envVar(key)
        + "): got " + shown + " from " + r.source() + "; expected " + expected);
  }

  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    try {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> null;
      };
    } catch (ArithmeticException | NumberFormatException ex) {
      return null;
    }
  }

  private static List<String> splitList(String value) {
    List<String> items = new ArrayList<>();
    for (String part : value.split(",")) {
      String t = part.trim();
      if (!t.isEmpty()) {
        items.add(t);
      }
    }
    return List.copyOf(items);
  }

  private static Map<String, Object> readYaml(Path file) {
    Object doc;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (NoSuchFileException ex) {
      throw new ConfigException("config", "Configuration file '" + file + "' (env "
          + CONFIG_FILE_ENV + ") does not exist", ex);
    } catch (IOException ex) {
      throw new ConfigException("config", "Configuration file '" + file + "' (env "
          + CONFIG_FILE_ENV + ") cannot be read: " + ex, ex);
    } catch (YAMLException ex) {
      throw new ConfigException("config", "Configuration file '" + file + "' (env "
          + CONFIG_FILE_ENV + ") is not valid YAML: " + ex.getMessage(), ex);
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException("config", "Configuration file '" + file + "' (env "
          + CONFIG_FILE_ENV + ") must hold a YAML mapping of keys to values, not a "
          + doc.getClass().getSimpleName());
    }
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", map, flat);
    return Collections.unmodifiableMap(flat);
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
    map.forEach((k, v) -> {
      String key = prefix + k;
      if (v instanceof Map<?, ?> nested) {
        flatten(key + ".", nested, out);
      } else if (v instanceof Collection<?> items) {
        out.put(key, items.stream().filter(Objects::nonNull).map(String::valueOf).toList());
      } else if (v != null) {
        out.put(key, String.valueOf(v));
      }
    });
  }

  private static Map<String, String> withoutNullValues(Map<String, String> map) {
    Map<String, String> copy = new HashMap<>();
    map.forEach((k, v) -> {
      if (k != null && v != null) {
        copy.put(k, v);
      }
    });
    return copy;
  }
}
