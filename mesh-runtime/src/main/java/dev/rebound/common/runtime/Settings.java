package dev.rebound.common.runtime;

import dev.rebound.common.text.Redactor;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Service configuration: defaults &lt; YAML file &lt; environment &lt; explicit overrides, read once.
 *
 * <p>Every setting is a {@link ConfigKey} declared once with its default, doc and validation
 * ({@link RuntimeKeys}, and each service's {@code XxxConfig.KEYS}); values are read with
 * {@link #get(ConfigKey)} and {@link #find(ConfigKey)}. Keys are dotted and lower-case
 * ({@code ledger.lease-ms}); a nested YAML document is flattened to such keys. Each key has one
 * environment variable: upper-cased, {@code .} and {@code -} turned into {@code _}, prefixed with
 * {@code REBOUND_} ({@code REBOUND_LEDGER_LEASE_MS}). An empty environment variable counts as unset.
 *
 * <p>The YAML file is read strictly: every scalar stays the text it was written as ({@code 0123},
 * {@code off}, {@code 1e3} are those strings, not a number or a boolean), an empty value or
 * {@code ~}/{@code null} means "not set", and a key set twice is an error. The typed reads parse that
 * text and name the key, the variable and the bad value when it does not fit.
 * {@link #requireKnown} refuses keys no registry declares, suggesting the nearest known one.
 *
 * <p>PostgreSQL also honours the standard libpq variables ({@code PGHOST}, {@code PGPORT},
 * {@code PGDATABASE}, {@code PGUSER}, {@code PGPASSWORD}, {@code PGSSLMODE}, {@code PGSSLROOTCERT}): they beat the YAML file and the
 * defaults, and lose to {@code REBOUND_PG_*}.
 *
 * <p>Only values of declared, non-secret keys are ever printed: {@link #describe()} names
 * undeclared keys without their values, and no {@link ConfigException} shows a secret.
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
  /**
   * First segments of the services' keys. A process that does not run a service ignores that
   * service's keys (so that services can share one YAML file or environment), instead of calling
   * them unknown.
   */
  public static final Set<String> SERVICE_NAMESPACES = Set.of("ledger", "analyzer", "retry", "notifier");

  private static final String MASK = "****";
  private static final Redactor REDACTOR = new Redactor();

  private final Map<String, String> env;
  private final Optional<Path> yamlFile;
  /** Flattened YAML: values are String or List&lt;String&gt;. */
  private final Map<String, Object> yaml;
  private final Map<String, String> overrides;
  /** Per key read, what {@link #describe()} prints after its name: "=value (source)", or " (not set)" for a secret. */
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

  // ------------------------------------------------------------------ reading

  /**
   * The key's value: from the first source that sets it, else its default. A key without a default
   * that no source sets is an error naming the key and its variable.
   */
  public <T> T get(ConfigKey<T> key) {
    return find(key).orElseThrow(() -> new ConfigException(key.name(), "Missing required configuration '"
        + key.name() + "': set env " + key.envVar() + " or '" + key.name() + "' in the YAML file"));
  }

  /** The key's value from the first source that sets it, else its default, else empty. */
  @SuppressWarnings("unchecked")
  public <T> Optional<T> find(ConfigKey<T> key) {
    if (key.isItems()) {
      Object raw = yaml.get(key.name());
      if (raw != null && !(raw instanceof List<?>)) {
        throw new ConfigException(key.name(), "Invalid configuration '" + key.name() + "': expected a YAML list, got "
            + (raw instanceof Map<?, ?> ? "a map" : "a single value"));
      }
      record(key, raw == null ? "(unset)" : "(a list of " + ((List<?>) raw).size() + ")", raw == null ? "default" : "yaml");
      return raw == null ? Optional.empty() : Optional.of((T) raw);
    }
    if (key.isSection()) {
      Map<String, Object> tree = section(key);
      record(key, tree.isEmpty() ? "(unset)" : "(a map of " + tree.size() + ")", tree.isEmpty() ? "default" : "yaml");
      return Optional.of((T) tree);
    }
    Resolved r = resolve(key);
    if (r == null) {
      Optional<T> def = key.defaultValue();
      record(key, def.map(key::print).orElse("(unset)"), "default");
      return def;
    }
    if (r.list() && !key.isList()) {
      throw invalid(key, r, key.expected() + ", not a YAML list");
    }
    T value = key.parse(r.value()).orElseThrow(() -> invalid(key, r, key.expected()));
    record(key, r.value(), r.source());
    return Optional.of(value);
  }

  /**
   * The subtree below a {@link ConfigKey#section} key as nested maps: the YAML file's keys under it, then the
   * overrides' (which win), split at dots; an empty map when nothing is set.
   */
  private Map<String, Object> section(ConfigKey<?> key) {
    String prefix = key.name() + ".";
    Map<String, Object> tree = new LinkedHashMap<>();
    Map<String, Object> flat = new LinkedHashMap<>();
    yaml.forEach((k, v) -> {
      if (k.equals(key.name())) {
        throw new ConfigException(key.name(), "Invalid configuration '" + key.name() + "': expected a YAML map of "
            + "settings below it, got a single value");
      }
      if (k.startsWith(prefix)) {
        flat.put(k.substring(prefix.length()), v);
      }
    });
    overrides.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        flat.put(k.substring(prefix.length()), v);
      }
    });
    flat.forEach((path, value) -> {
      String[] parts = path.split("\\.");
      Map<String, Object> at = tree;
      for (int i = 0; i < parts.length - 1; i++) {
        Object next = at.computeIfAbsent(parts[i], p -> new LinkedHashMap<String, Object>());
        if (!(next instanceof Map<?, ?>)) {
          throw new ConfigException(prefix + path, "Invalid configuration '" + prefix + path + "': '"
              + String.join(".", Arrays.copyOf(parts, i + 1)) + "' is both a value and a map");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) next;
        at = m;
      }
      if (at.put(parts[parts.length - 1], value) instanceof Map<?, ?>) {
        throw new ConfigException(prefix + path, "Invalid configuration '" + prefix + path
            + "': it is both a value and a map");
      }
    });
    return tree;
  }

  // ------------------------------------------------------------------ unknown keys

  /**
   * Refuses keys that neither {@link RuntimeKeys} nor the given registries declare: every key of the
   * YAML file, and every {@code REBOUND_*} variable whose name starts like a declared key's
   * ({@code REBOUND_LEDGER_…} when ledger keys are declared). Keys of a service that is not started
   * here ({@link #SERVICE_NAMESPACES}) and unrelated variables ({@code REBOUND_JAVA_OPTS}) are left
   * alone. The error names every unknown key with the nearest declared one, never a value.
   *
   * <p>Unknown keys fail the start rather than warn: a typo in a security or durability setting
   * would otherwise run silently with its default.
   */
  public void requireKnown(Collection<? extends ConfigKey<?>> keys) {
    Map<String, ConfigKey<?>> known = new LinkedHashMap<>();
    for (ConfigKey<?> k : RuntimeKeys.ALL) {
      known.put(k.name(), k);
    }
    for (ConfigKey<?> k : keys) {
      known.put(k.name(), k);
    }
    List<String> sections = known.values().stream().filter(ConfigKey::isSection).map(k -> k.name() + ".").toList();
    Set<String> namespaces = known.keySet().stream().map(Settings::namespace).collect(Collectors.toSet());
    Map<String, String> knownVars = new TreeMap<>();
    known.values().forEach(k -> {
      knownVars.put(k.envVar(), k.name());
      if (k.secret()) {
        knownVars.put(k.envVar() + FILE_SUFFIX, k.name());
      }
    });

    List<String> unknown = new ArrayList<>();
    String firstKey = null;
    for (String key : yaml.keySet()) {
      String ns = namespace(key);
      if (known.containsKey(key) || sections.stream().anyMatch(key::startsWith)
          || (SERVICE_NAMESPACES.contains(ns) && !namespaces.contains(ns))) {
        continue;
      }
      firstKey = firstKey == null ? key : firstKey;
      unknown.add("unknown setting '" + key + "' in " + yamlFile.map(Path::toString).orElse("the YAML file")
          + nearest(key, known.keySet()).map(n -> " (did you mean '" + n + "'?)").orElse(""));
    }
    for (String var : new TreeMap<>(env).keySet()) {
      if (!var.startsWith(ENV_PREFIX) || var.equals(CONFIG_FILE_ENV) || knownVars.containsKey(var)
          || namespaces.stream().noneMatch(ns -> var.startsWith(envVar(ns) + "_"))) {
        continue;
      }
      firstKey = firstKey == null ? var : firstKey;
      String section = sections.stream().filter(s -> var.startsWith(envVar(s.substring(0, s.length() - 1)) + "_"))
          .findFirst().orElse(null);
      unknown.add("unknown setting in env " + var + (section != null
          ? " (the settings below '" + section.substring(0, section.length() - 1) + "' are a map: set them in the YAML file)"
          : nearest(var, knownVars.keySet())
          .map(n -> " (did you mean " + n + ", the variable of '" + knownVars.get(n) + "'?)").orElse("")));
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException(firstKey, String.join("; ", unknown)
          + ". Correct or remove " + (unknown.size() == 1 ? "it" : "them")
          + "; README.md (Configuration) lists every setting");
    }
  }

  /** The closest name within a few edits, if any. */
  private static Optional<String> nearest(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(name, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, name.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String namespace(String key) {
    int dot = key.indexOf('.');
    return dot < 0 ? key : key.substring(0, dot);
  }

  // ------------------------------------------------------------------ PostgreSQL

  /**
   * Connection options for the service's PostgreSQL from the {@code pg.*} keys of
   * {@link RuntimeKeys}. The standard {@code PG*} variables beat YAML and defaults;
   * {@code REBOUND_PG_*} beats {@code PG*}. TLS per {@code pg.ssl-mode} ({@code PGSSLMODE}): see
   * {@link PostgresTls}.
   */
  public PgConnectOptions pgConnectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(get(RuntimeKeys.PG_HOST))
        .setPort(get(RuntimeKeys.PG_PORT))
        .setDatabase(get(RuntimeKeys.PG_DATABASE))
        .setUser(get(RuntimeKeys.PG_USER))
        .setPipeliningLimit(get(RuntimeKeys.PG_PIPELINING_LIMIT))
        .setReconnectAttempts(get(RuntimeKeys.PG_RECONNECT_ATTEMPTS))
        .setReconnectInterval(get(RuntimeKeys.PG_RECONNECT_INTERVAL).toMillis())
        .setCachePreparedStatements(get(RuntimeKeys.PG_CACHE_PREPARED_STATEMENTS));
    // every query of every service is bounded; migrations lift it for their own transaction
    options.addProperty("statement_timeout", Long.toString(get(RuntimeKeys.PG_STATEMENT_TIMEOUT).toMillis()));
    options.addProperty("plan_cache_mode", get(RuntimeKeys.PG_PLAN_CACHE_MODE));
    // the migrations' "already exists, skipping" notices are not warnings: only warnings and errors are logged
    options.addProperty("client_min_messages", "warning");
    find(RuntimeKeys.PG_PASSWORD).ifPresent(options::setPassword);
    return PostgresTls.apply(this, options);
  }

  // ------------------------------------------------------------------ description

  /**
   * One line for the startup log: every key read so far with its value and where it came from
   * (secrets masked), then the names, never the values, of YAML keys, overrides and
   * {@code REBOUND_*} variables that nothing read.
   */
  public String describe() {
    StringBuilder out = new StringBuilder("settings")
        .append(yamlFile.map(p -> " [yaml " + p + "]").orElse("")).append(": ")
        .append(reads.entrySet().stream().map(e -> e.getKey() + e.getValue())
            .collect(Collectors.joining(", ")));
    Set<String> readVars = reads.keySet().stream().map(Settings::envVar).collect(Collectors.toSet());
    Set<String> unread = new TreeSet<>();
    yaml.keySet().stream().filter(k -> !reads.containsKey(k)).forEach(k -> unread.add("yaml " + k));
    overrides.keySet().stream().filter(k -> !reads.containsKey(k)).forEach(k -> unread.add("override " + k));
    env.keySet().stream()
        .filter(v -> v.startsWith(ENV_PREFIX) && !v.equals(CONFIG_FILE_ENV) && !readVars.contains(v)
            && !(v.endsWith(FILE_SUFFIX) && readVars.contains(v.substring(0, v.length() - FILE_SUFFIX.length()))))
        .forEach(v -> unread.add("env " + v));
    if (!unread.isEmpty()) {
      out.append("; not read here: ").append(String.join(", ", unread));
    }
    return out.toString();
  }

  /** Never prints values, so it is safe to log by accident. */
  @Override
  public String toString() {
    return "Settings{yaml=" + yamlFile.map(Path::toString).orElse("none")
        + ", yamlKeys=" + new TreeMap<>(yaml).keySet()
        + ", overrides=" + new TreeMap<>(overrides).keySet() + "}";
  }

  // ------------------------------------------------------------------ internals

  /** A value found in some source; {@code list} when the YAML file gave a list (joined with commas). */
  private record Resolved(String value, boolean list, String source) {
  }

  private Resolved resolve(ConfigKey<?> key) {
    String name = key.name();
    String o = overrides.get(name);
    if (o != null) {
      return new Resolved(o, false, "override");
    }
    String var = key.envVar();
    String e = env.get(var);
    if (e != null && !e.isBlank()) {
      return new Resolved(key.secret() ? e : e.trim(), false, "env " + var);
    }
    if (key.secret()) {
      Resolved fromFile = secretFile(key);
      if (fromFile != null) {
        return fromFile;
      }
    }
    for (String std : key.standardVars()) {
      String s = env.get(std);
      if (s != null && !s.isBlank()) {
        return new Resolved(key.secret() ? s : s.trim(), false, "env " + std);
      }
    }
    Object y = yaml.get(name);
    if (y instanceof List<?> l) {
      if (l.stream().anyMatch(item -> !(item instanceof String))) {
        throw new ConfigException(name, "Invalid configuration '" + name + "': expected " + key.expected()
            + ", not a YAML list of maps or lists");
      }
      List<String> items = l.stream().map(String::valueOf).map(String::trim)
          .filter(s -> !s.isEmpty()).toList();
      return new Resolved(String.join(",", items), true, "yaml");
    }
    if (y != null) {
      return new Resolved(key.secret() ? (String) y : ((String) y).trim(), false, "yaml");
    }
    return null;
  }

  /** The contents of the file named by {@code <VAR>_FILE} (trailing newline stripped), if set. */
  private Resolved secretFile(ConfigKey<?> key) {
    String fileVar = key.envVar() + FILE_SUFFIX;
    String file = env.get(fileVar);
    if (file == null || file.isBlank()) {
      return null;
    }
    Path path = Path.of(file.trim());
    try {
      String content = Files.readString(path, StandardCharsets.UTF_8);
      String value = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
          : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
      return new Resolved(value, false, "file " + path + " (env " + fileVar + ")");
    } catch (IOException ex) {
      throw new ConfigException(key.name(), "Invalid configuration '" + key.name() + "': env " + fileVar
          + " names the file '" + path + "', which cannot be read ("
          + ex.getClass().getSimpleName() + "); expected a readable file holding the secret", ex);
    }
  }

  private void record(ConfigKey<?> key, String value, String source) {
    // a plain setting may still hold a credential by mistake (a URL with user:password@)
    if (key.secret() && "(unset)".equals(value)) {
      // not "name=(unset)": the log's redaction would take "(unset" for a password and print half of it
      reads.put(key.name(), " (not set)");
      return;
    }
    String shown = key.secret() ? MASK : REDACTOR.redact(value);
    reads.put(key.name(), "=" + shown + " (" + source + ")");
  }

  private ConfigException invalid(ConfigKey<?> key, Resolved r, String expected) {
    String shown = key.secret() ? "a value (not shown: secret)" : "'" + r.value() + "'";
    return new ConfigException(key.name(), "Invalid configuration '" + key.name() + "' (env " + key.envVar()
        + "): got " + shown + " from " + r.source() + "; expected " + expected);
  }

  private static Map<String, Object> readYaml(Path file) {
    String where = "Configuration file '" + file + "' (env " + CONFIG_FILE_ENV + ")";
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Object doc;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      doc = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
          options, new PlainScalarsAsText()).load(reader);
    } catch (NoSuchFileException ex) {
      throw new ConfigException("config", where + " does not exist", ex);
    } catch (IOException ex) {
      throw new ConfigException("config", where + " cannot be read: " + ex, ex);
    } catch (DuplicateKeyException ex) {
      String key = ex.getProblem().replaceFirst("^found duplicate key ", "");
      throw new ConfigException(key, where + " sets the key '" + key + "' twice" + at(ex.getProblemMark())
          + "; a repeated key is an error, keep one");
    } catch (MarkedYAMLException ex) {
      // The problem and position only: the exception's own message quotes the file's text, values included.
      throw new ConfigException("config", where + " is not valid YAML: " + ex.getProblem()
          + at(ex.getProblemMark()));
    } catch (YAMLException ex) {
      throw new ConfigException("config", where + " is not valid YAML");
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException("config", where + " must hold a YAML mapping of keys to values, not a "
          + doc.getClass().getSimpleName());
    }
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", map, flat, where);
    return Collections.unmodifiableMap(flat);
  }

  private static String at(Mark mark) {
    return mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")";
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out, String where) {
    map.forEach((k, v) -> {
      String key = prefix + k;
      if (v instanceof Map<?, ?> nested) {
        flatten(key + ".", nested, out, where);
        return;
      }
      Object value = v instanceof Collection<?> items ? structured(items) : v == null ? null : String.valueOf(v);
      if (value != null && out.put(key, value) != null) {
        throw new ConfigException(key, where + " sets the key '" + key
            + "' twice (once nested, once dotted); a repeated key is an error, keep one");
      }
    });
  }

  /**
   * A YAML list as read: text items stay text; map and list items are kept as nested maps (keys as written) and
   * lists of text, for {@link ConfigKey#items} keys and lists inside {@link ConfigKey#section}s.
   */
  private static List<Object> structured(Collection<?> items) {
    List<Object> out = new ArrayList<>();
    for (Object item : items) {
      Object value = structuredValue(item);
      if (value != null) {
        out.add(value);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private static Object structuredValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, value) -> out.put(String.valueOf(k), structuredValue(value)));
      return Collections.unmodifiableMap(out);
    }
    if (v instanceof Collection<?> c) {
      return structured(c);
    }
    return v == null ? null : String.valueOf(v);
  }

  /**
   * Resolves every plain scalar to text, except the YAML spellings of "no value" (empty, {@code ~},
   * {@code null}) and the merge key {@code <<}: {@code 0123}, {@code off}, {@code 1e3} and
   * {@code 0x1F} stay what they were written as, and each typed read parses them.
   */
  private static final class PlainScalarsAsText extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.MERGE, MERGE, "<");
      addImplicitResolver(Tag.NULL, NULL, "~nN\0");
      addImplicitResolver(Tag.NULL, EMPTY, null);
    }
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
