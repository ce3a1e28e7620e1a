package dev.rebound.common.auth;

import dev.rebound.common.client.Scope;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.ConfigKey;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may use an HTTP server, read once from the settings: the configured bearer tokens ({@code auth.tokens}),
 * {@code auth.disabled}, and the address the server listens on.
 *
 * <p>Safe defaults: without tokens a server on a loopback address runs open (every request may do anything; the
 * startup log says so); a server bound beyond loopback without tokens refuses to start, naming
 * {@code auth.tokens}, unless {@code auth.disabled: true} says explicitly that it should run open.
 *
 * <p>Tokens are configured as the hex SHA-256 of the token ({@code sha256}) or as a file holding the token
 * ({@code token-file}, hashed when read). A presented token is hashed and compared with every configured hash
 * with {@link MessageDigest#isEqual} (constant time, and all of them, so the time does not say which one
 * matched); neither tokens nor hashes are ever logged.
 */
public final class HttpSecurity {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Set<String> FIELDS = Set.of("name", "scopes", "sha256", "token-file");

  private final String host;
  private final List<AccessToken> tokens;
  private final boolean disabled;
  private final DashboardSessions sessions = new DashboardSessions();

  private HttpSecurity(String host, List<AccessToken> tokens, boolean disabled) {
    this.host = host;
    this.tokens = List.copyOf(tokens);
    this.disabled = disabled;
  }

  /** A server on {@code host} without tokens (tests, embedding); refused beyond loopback like a configured one. */
  public static HttpSecurity open(String host) {
    return checked(new HttpSecurity(host, List.of(), false), "host");
  }

  /** A server on {@code host} with these tokens (tests, embedding). */
  public static HttpSecurity withTokens(String host, List<AccessToken> tokens) {
    return new HttpSecurity(host, tokens, false);
  }

  /**
   * The security of a server listening on the address {@code hostKey} gives ({@code http.host} for a service run
   * alone, {@code run.host} for {@code rebound run}): the tokens and {@code auth.disabled} of {@code settings}.
   * A {@link ConfigException} names a bad token entry, or {@code auth.tokens} when the address is beyond
   * loopback and there are none.
   */
  public static HttpSecurity from(Settings settings, ConfigKey<String> hostKey) {
    return checked(read(settings, hostKey), hostKey.name());
  }

  /**
   * The security of a service's own HTTP server ({@code http.host}); when {@code http.enabled} is false
   * ({@code rebound run} serves the routes instead) the address is not checked, the tokens still are.
   */
  public static HttpSecurity forService(Settings settings) {
    HttpSecurity security = read(settings, RuntimeKeys.HTTP_HOST);
    return settings.get(RuntimeKeys.HTTP_ENABLED) ? checked(security, RuntimeKeys.HTTP_HOST.name()) : security;
  }

  private static HttpSecurity read(Settings settings, ConfigKey<String> hostKey) {
    String host = settings.get(hostKey);
    List<AccessToken> tokens = tokens(settings.find(RuntimeKeys.AUTH_TOKENS).orElse(List.of()));
    boolean disabled = settings.get(RuntimeKeys.AUTH_DISABLED);
    return new HttpSecurity(host, tokens, disabled);
  }

  private static HttpSecurity checked(HttpSecurity security, String hostKey) {
    if (security.tokens.isEmpty() && !security.disabled && !isLoopback(security.host)) {
      throw new ConfigException(RuntimeKeys.AUTH_TOKENS.name(), "Refusing to serve HTTP on " + security.host + " ("
          + hostKey + ") without tokens: configure '" + RuntimeKeys.AUTH_TOKENS.name() + "' (see the README, Security),"
          + " listen on a loopback address, or set '" + RuntimeKeys.AUTH_DISABLED.name() + ": true' (env "
          + RuntimeKeys.AUTH_DISABLED.envVar() + "=true) to run open on purpose");
    }
    return security;
  }

  // ------------------------------------------------------------------ reading the tokens

  private static List<AccessToken> tokens(List<Object> items) {
    List<AccessToken> tokens = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String at = RuntimeKeys.AUTH_TOKENS.name() + "[" + i + "]";
      if (!(items.get(i) instanceof Map<?, ?> item)) {
        throw invalid(at, "expected a map {name, scopes, sha256 | token-file}");
      }
      for (Object field : item.keySet()) {
        if (!FIELDS.contains(String.valueOf(field))) {
          throw invalid(at, "unknown field '" + field + "' (known: name, scopes, sha256, token-file)");
        }
      }
      String name = text(item.get("name"));
      if (name == null || !NAME.matcher(name).matches()) {
        throw invalid(at + ".name", "a name of letters, digits, '.', '_', '@' or '-' (at most 64) is required");
      }
      if (!names.add(name)) {
        throw invalid(at + ".name", "'" + name + "' is configured twice");
      }
      Set<Scope> scopes = scopes(at + ".scopes", item.get("scopes"));
      byte[] hash = hash(at, item.get("sha256"), item.get("token-file"));
      if (!hashes.add(HexFormat.of().formatHex(hash))) {
        throw invalid(at, "token '" + name + "' is the same token as another entry");
      }
      tokens.add(new AccessToken(name, scopes, hash));
    }
    return tokens;
  }

  private static Set<Scope> scopes(String at, Object value) {
    List<String> words = new ArrayList<>();
    if (value instanceof List<?> list) {
      list.forEach(v -> words.add(String.valueOf(v)));
    } else if (value != null) {
      for (String w : String.valueOf(value).split(",")) {
        words.add(w);
      }
    }
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String w : words) {
      if (w.isBlank()) {
        continue;
      }
      scopes.add(Scope.fromConfigName(w).orElseThrow(() -> invalid(at, "unknown scope '" + w.trim()
          + "' (known: read, worker, operator, metrics)")));
    }
    if (scopes.isEmpty()) {
      throw invalid(at, "at least one scope is required (read, worker, operator, metrics)");
    }
    return scopes;
  }

  private static byte[] hash(String at, Object sha256, Object tokenFile) {
    String hex = text(sha256);
    String file = text(tokenFile);
    if ((hex == null) == (file == null)) {
      throw invalid(at, "exactly one of 'sha256' (the hex SHA-256 of the token) and 'token-file' is required");
    }
    if (hex != null) {
      if (!HEX.matcher(hex).matches()) {
        // the value is not shown: someone may have pasted the token itself here
        throw invalid(at + ".sha256", "expected 64 hex digits (the SHA-256 of the token, e.g. `printf %s \"$TOKEN\""
            + " | sha256sum`)");
      }
      return HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
    }
    String token;
    try {
      token = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
    } catch (IOException | RuntimeException e) {
      throw invalid(at + ".token-file", "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    if (token.length() < 16) {
      throw invalid(at + ".token-file", file + " must hold a token of at least 16 characters");
    }
    return sha256(token);
  }

  private static String text(Object value) {
    return value == null || value instanceof Map<?, ?> || value instanceof List<?> || String.valueOf(value).isBlank()
        ? null : String.valueOf(value).trim();
  }

  private static ConfigException invalid(String at, String problem) {
    return new ConfigException(RuntimeKeys.AUTH_TOKENS.name(), "Invalid configuration '" + at + "': " + problem);
  }

  // ------------------------------------------------------------------ using them

  /** The SHA-256 of a token's text (UTF-8). */
  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Whether requests need a token: tokens are configured and auth is not disabled. */
  public boolean enforced() {
    return !tokens.isEmpty() && !disabled;
  }

  /** The caller a presented token authenticates; empty when no configured token matches. */
  public Optional<Caller> authenticate(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] hash = sha256(presented);
    AccessToken found = null;
    for (AccessToken t : tokens) {
      // every entry compared, in constant time each: the time taken does not tell which one matched
      if (MessageDigest.isEqual(hash, t.sha256()) && found == null) {
        found = t;
      }
    }
    return Optional.ofNullable(found).map(AccessToken::caller);
  }

  /** The address the server listens on. */
  public String host() {
    return host;
  }

  /** The dashboard's sign-in sessions of this server. */
  public DashboardSessions sessions() {
    return sessions;
  }

  /** One line for the startup log: how requests are checked (token names, never their hashes). */
  public String describe() {
    if (disabled) {
      return "auth DISABLED (auth.disabled=true): the HTTP API on " + host + " is open to anyone who reaches it";
    }
    if (tokens.isEmpty()) {
      return "no auth.tokens configured: the HTTP API is OPEN to anyone on this machine (" + host
          + " is a loopback address); configure auth.tokens before listening beyond it";
    }
    return "bearer tokens required (" + tokens.stream().map(t -> t.name() + " " + t.scopes()).toList() + ")";
  }

  /** Whether {@code host} names only this machine ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}). */
  public static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    String h = host.trim();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
      return false; // a name other than localhost may resolve elsewhere tomorrow
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
