package dev.rebound.common.text;

/**
 * Which names of fields, variables, headers and parameters hold secrets: {@code password},
 * {@code DB_PASSWORD}, {@code client_secret}, {@code access_token}, {@code x-api-key},
 * {@code AccountKey}, {@code Authorization}, {@code Cookie}, {@code credentials}, {@code sig}…
 * Separators and case do not matter ({@code api-key}, {@code API_KEY}, {@code apiKey} are one name).
 *
 * <p>Names that only talk about a secret are not secrets: {@code token_type}, {@code max_tokens},
 * {@code password_file}, {@code secretName}, {@code secretRef}, {@code key_id}, {@code tokenUrl},
 * {@code expires_in} — their values stay readable, and a reference to a secret is what callers
 * should send instead of the secret itself.
 */
public final class SecretKeys {

  /** Fragments of a normalized name (lower-case, letters and digits only) that make it secret. */
  private static final String[] SECRET_PARTS = {
      "password", "passwd", "passphrase", "secret", "token", "credential", "authorization", "cookie",
      "apikey", "accesskey", "privatekey", "secretkey", "signingkey", "accountkey", "masterkey", "encryptionkey",
      "clientkey", "authkey", "licensekey", "subscriptionkey", "integrationkey", "sshkey", "deploykey", "hmackey",
      "jwtkey", "saskey", "appkey", "servicekey", "storagekey", "keydata", "sessionid", "sessionkey",
      "connectionstring", "signature", "webhook", "dbpwd", "dbpass", "functionskey", "functionkey", "hostkey",
      "adminkey", "userkey", "developerkey", "restkey", "serverkey"};

  /** Whole normalized names that are secret. */
  private static final String[] SECRET_NAMES = {
      "auth", "xauth", "pw", "pwd", "sig", "session", "otp", "secret", "token", "cred", "creds"};

  /** Whole normalized names that contain a secret fragment and are not secret. */
  private static final String[] BENIGN_NAMES = {
      "tokens", "tokenizer", "tokenization", "tokenized", "passed", "passes", "passing", "authorizations",
      "signatures", "credentialsprovider"};

  /** Endings of names that describe or point at a secret rather than hold it. */
  private static final String[] BENIGN_ENDINGS = {
      "file", "path", "name", "names", "ref", "reference", "id", "ids", "type", "types", "count", "length",
      "size", "ttl", "expiry", "expires", "expiresin", "expiresat", "expiration", "expired", "url", "uri",
      "endpoint", "policy", "header", "field", "provider", "mode", "version", "status", "enabled", "required",
      "limit", "used", "usage", "total", "format", "env", "var", "source", "store", "manager", "location",
      "timeout", "interval", "hint", "kind", "error", "errors", "exception", "client", "keygen", "gen", "generator",
      "rotation", "rotated", "manager", "service", "scope", "scopes", "endpoint", "method", "algorithm", "alg"};

  /** Beginnings of names that describe a secret (an error about it, a limit on it). */
  private static final String[] BENIGN_STARTS = {
      "invalid", "expired", "missing", "bad", "wrong", "unknown", "incorrect", "revoked", "empty", "max",
      "min", "num", "total", "prompt", "completion", "input", "output", "cached", "reasoning"};

  private SecretKeys() {
  }

  /** True when a value under this name is a secret: redact it, whatever it looks like. */
  public static boolean isSecret(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    String n = normalize(name);
    if (n.isEmpty()) {
      return false;
    }
    for (String whole : SECRET_NAMES) {
      if (n.equals(whole)) {
        return true;
      }
    }
    if (n.equals("oldpwd")) {
      return false; // the shell's previous directory
    }
    if (n.contains("webhook") && !endsWithAny(n, "id", "name", "names", "count", "enabled")) {
      return true; // a webhook's URL is its secret
    }
    boolean secret = false;
    for (String part : SECRET_PARTS) {
      if (n.contains(part)) {
        secret = true;
        break;
      }
    }
    if (!secret) {
      return false;
    }
    if (n.contains("sessionid") || n.equals("setcookie")) {
      return true;
    }
    if (endsWithAny(n, BENIGN_ENDINGS)) {
      return false;
    }
    for (String start : BENIGN_STARTS) {
      if (n.startsWith(start) && n.length() > start.length()) {
        return false;
      }
    }
    for (String benign : BENIGN_NAMES) {
      if (n.equals(benign)) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when {@code value}, stored under {@code name}, is a secret. As {@link #isSecret(String)}, and a
   * {@code routing_key} is secret only when it looks like PagerDuty's (32 letters and digits): an AMQP
   * routing key is a topic name.
   */
  public static boolean isSecret(String name, String value) {
    if (name != null && normalize(name).endsWith("routingkey")) {
      return value != null && value.length() == 32 && value.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c));
    }
    return isSecret(name);
  }

  /** The redaction kind of a secret name: {@code password}, {@code secret}, {@code api-key}, {@code token}… */
  public static String kindOf(String name) {
    String n = normalize(name);
    if (n.contains("pass") || n.contains("pwd") || n.equals("pw")) {
      return "password";
    }
    if (n.endsWith("token")) {
      return "token";
    }
    if (n.contains("cookie") || n.contains("session")) {
      return "cookie";
    }
    if (n.contains("authorization") || n.contains("credential") || n.startsWith("cred") || n.equals("auth")
        || n.equals("xauth")) {
      return "credentials";
    }
    if (n.contains("signature") || n.equals("sig")) {
      return "signature";
    }
    if (n.contains("webhook")) {
      return "webhook-url";
    }
    if (n.contains("connectionstring")) {
      return "connection-string";
    }
    if (n.contains("secret")) {
      return "secret";
    }
    if (n.contains("key")) {
      return "api-key";
    }
    return "token";
  }

  /**
   * As {@link #isSecret(String)} for a dotted name ({@code spring.datasource.password},
   * {@code io.jsonwebtoken.ExpiredJwtException}): its last part decides, or, when the last part is
   * a generic {@code key} or {@code value}, the part before it ({@code aws.secret.key}).
   */
  public static boolean isSecretDotted(String name) {
    int dot = name.lastIndexOf('.');
    if (dot < 0) {
      return isSecret(name);
    }
    String last = name.substring(dot + 1);
    String n = normalize(last);
    if (n.equals("key") || n.equals("value") || n.equals("data")) {
      int before = name.lastIndexOf('.', dot - 1);
      return isSecret(name.substring(before + 1, dot));
    }
    return isSecret(last);
  }

  /** Lower-case letters and digits only: {@code X-Api-Key} → {@code xapikey}. */
  static String normalize(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        sb.append((char) (c + 32));
      } else if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean endsWithAny(String n, String... endings) {
    for (String e : endings) {
      if (n.endsWith(e) && n.length() > e.length()) {
        return true;
      }
    }
    return false;
  }
}
