package dev.rebound.common.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces secrets with {@code <redacted:KIND>} before a message is analysed, stored, logged or
 * forwarded. It errs on the side of redacting: a false positive costs a little context, a false
 * negative leaks a credential. The text around a secret is kept, so a failure stays diagnosable.
 *
 * <p>Secrets are found three ways: by their shape (more than 80 vendor formats — cloud keys, VCS and
 * registry tokens, chat and alerting tokens and webhook URLs, payment and SaaS keys, JWTs, private-key
 * blocks: {@link SecretFormats}); by the name they are written under, in any notation
 * ({@code password=…}, {@code "client_secret": "…"}, {@code DB_PASSWORD=…}, {@code Authorization: Basic …},
 * {@code Cookie: …}, {@code ?access_token=…}, {@code <password>…</password>}, {@code --token …}:
 * {@link SecretKeys}); and as the password of a URL ({@code scheme://user:password@host}).
 * {@link #redactTree(Object)} does the same to JSON values and plain maps, where a secret name as a
 * key redacts its value at any depth.
 *
 * <p>Kinds (stable, part of the API) include {@code private-key}, {@code url-password}, {@code jwt},
 * {@code bearer-token}, {@code basic-auth}, {@code github-token}, {@code slack-token},
 * {@code aws-access-key}, {@code aws-secret}, {@code api-key}, {@code password}, {@code secret},
 * {@code token}, {@code credentials}, {@code cookie}, and one per vendor format.
 *
 * <p>Each format is guarded by cheap literals on the lower-cased text, found in one automaton pass,
 * so a message with no secret-looking fragment costs one lower-casing pass and that scan. Thread-safe.
 */
public final class Redactor {

  private static final List<SecretFormats.Format> RULES = SecretFormats.ALL;

  /** Fragments of secret names; the pair scanner only looks at names containing one. */
  private static final String[] PAIR_STEMS = {
      "pass", "pwd", "secret", "token", "key", "auth", "cookie", "credential", "sig", "session", "webhook", "cred"};

  /** Authorization schemes: the scheme is kept, its credentials redacted. */
  private static final Set<String> SCHEMES = Set.of("bearer", "basic", "token", "digest", "ssws", "negotiate",
      "ntlm", "apikey", "api-key", "key", "hmac", "aws4-hmac-sha256", "sharedaccesssignature", "bot", "dpop", "mac",
      "otp", "gsso", "oauth");
  /** Schemes whose credentials are several comma-separated parameters. */
  private static final Set<String> LONG_SCHEMES = Set.of("digest", "aws4-hmac-sha256", "sharedaccesssignature",
      "oauth", "hmac");
  private static final Set<String> NOT_SECRETS = Set.of("null", "none", "nil", "true", "false", "undefined", "");

  // Every guard of every format, then the pair stems, then "://": one automaton pass finds them all.
  public static final String[] GUARD_WORDS;
  private static final int[][] GUARDS_OF_RULE;
  private static final int FIRST_PAIR_KEY;
  private static final int URL_MARK;
  private static final Keywords GUARDS;

  static {
    List<String> words = new ArrayList<>();
    GUARDS_OF_RULE = new int[RULES.size()][];
    for (int r = 0; r < RULES.size(); r++) {
      String[] g = RULES.get(r).guards();
      GUARDS_OF_RULE[r] = new int[g.length];
      for (int k = 0; k < g.length; k++) {
        GUARDS_OF_RULE[r][k] = words.size();
        words.add(g[k]);
      }
    }
    FIRST_PAIR_KEY = words.size();
    words.addAll(List.of(PAIR_STEMS));
    URL_MARK = words.size();
    words.add("://");
    GUARD_WORDS = words.toArray(new String[0]);
    GUARDS = new Keywords(GUARD_WORDS);
  }

  /** Returns {@code text} with every recognised secret replaced by {@code <redacted:KIND>}. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text == null ? "" : text;
    }
    return redact(text, AsciiLower.of(text));
  }

  /** As {@link #redact(String)}, but {@code null} stays {@code null}. */
  public String redactOrNull(String text) {
    return text == null ? null : redact(text);
  }

  /** As {@link #redact(String)}, with the caller's lower-cased copy (the classifier needs it anyway). */
  public String redact(String text, String lower) {
    return redact(text, lower, GUARDS.scan(lower), 0);
  }

  /**
   * As {@link #redact(String, String)}, when the caller already ran one automaton pass over
   * {@code lower} that includes {@link #GUARD_WORDS}: guard word k was found iff {@code found.has(offset + k)}.
   */
  public String redact(String text, String lower, Candidates found, int offset) {
    if (text.isEmpty()) {
      return text;
    }
    String out = text;
    boolean anyGuard = false;
    for (int k = 0; k < GUARD_WORDS.length && !anyGuard; k++) {
      anyGuard = found.has(offset + k);
    }
    if (!anyGuard) {
      return text; // the common case: nothing secret-looking at all
    }
    boolean pairKey = false;
    for (int k = 0; k < PAIR_STEMS.length; k++) {
      pairKey |= found.has(offset + FIRST_PAIR_KEY + k);
    }
    boolean changed = false;
    for (int r = 0; r < RULES.size(); r++) {
      boolean run = false;
      for (int g : GUARDS_OF_RULE[r]) {
        if (found.has(offset + g)) {
          run = true;
          break;
        }
      }
      if (run) {
        String replaced = apply(RULES.get(r), out);
        changed |= replaced != out;
        out = replaced;
      }
    }
    if (found.has(offset + URL_MARK)) {
      String replaced = redactUrlPasswords(out);
      changed |= replaced != out;
      out = replaced;
    }
    if (pairKey) {
      out = redactPairs(out, changed ? AsciiLower.of(out) : lower);
    }
    return out;
  }

  // ------------------------------------------------------------------ JSON and maps

  /** A copy of {@code details} without secrets (see {@link #redactTree(Object)}); {@code null} stays {@code null}. */
  public JsonObject redact(JsonObject details) {
    return details == null ? null : (JsonObject) redactTree(details);
  }

  /**
   * A copy of a JSON value ({@link JsonObject}, {@link JsonArray}, {@link Map}, {@link List}, strings,
   * numbers…) without secrets: every string is {@link #redact(String) redacted}, and the value of a key
   * named like a secret ({@link SecretKeys#isSecret(String)}) becomes {@code <redacted:KIND>} — under such
   * a key every string or number at any depth does. Keys, numbers, booleans and nulls are kept otherwise.
   */
  public Object redactTree(Object value) {
    return tree(value, null);
  }

  private Object tree(Object value, String secretKind) {
    if (value instanceof String s) {
      return secretKind != null ? redactedValue(s, secretKind) : redact(s);
    }
    if (value instanceof Number n) {
      return secretKind != null ? "<redacted:" + secretKind + ">" : n;
    }
    if (value instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), entry(e.getKey(), e.getValue(), secretKind)));
      return out;
    }
    if (value instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, entry(String.valueOf(k), v, secretKind)));
      return out;
    }
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(x -> out.add(tree(x, secretKind)));
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(tree(x, secretKind)));
      return out;
    }
    return value;
  }

  /** Values under a secret name that point at a secret rather than hold it. */
  private static final String[] REFERENCE_PREFIXES = {"vault:", "arn:aws:secretsmanager:", "arn:aws:ssm:", "ref:",
      "env:", "file:", "/run/secrets/", "/var/run/secrets/", "projects/", "secret://", "op://", "awssm:", "gcpsm:",
      "azkv:", "keyvault:", "k8s:", "secretref:"};

  /**
   * The path of the first value in a JSON tree that is, or holds, a credential — one shaped like a
   * secret, or a non-empty value under a secret name that is not a reference to one ({@code ${VAR}},
   * {@code vault:…}, {@code arn:aws:secretsmanager:…}, {@code /run/secrets/…}, {@code op://…}) — such
   * as {@code payload.db.password} or {@code payload.steps[2].env.TOKEN}; empty when there is none.
   */
  public Optional<String> firstCredential(Object tree, String root) {
    if (tree instanceof String s) {
      return redact(s).equals(s) ? Optional.empty() : Optional.of(root);
    }
    if (tree instanceof JsonObject o) {
      return firstInEntries(o.getMap(), root);
    }
    if (tree instanceof Map<?, ?> m) {
      return firstInEntries(m, root);
    }
    List<?> list = tree instanceof JsonArray a ? a.getList() : tree instanceof List<?> l ? l : null;
    for (int i = 0; list != null && i < list.size(); i++) {
      Optional<String> found = firstCredential(list.get(i), root + "[" + i + "]");
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private Optional<String> firstInEntries(Map<?, ?> map, String root) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      String path = root + "." + key;
      Object v = e.getValue();
      if ((v instanceof String || v instanceof Number) && SecretKeys.isSecret(key, String.valueOf(v))
          && !isNotASecret(String.valueOf(v)) && !isReference(String.valueOf(v))) {
        return Optional.of(path);
      }
      Optional<String> inner = firstCredential(v, path);
      if (inner.isPresent()) {
        return inner;
      }
    }
    return Optional.empty();
  }

  private static boolean isReference(String v) {
    String lower = AsciiLower.of(v.trim());
    for (String p : REFERENCE_PREFIXES) {
      if (lower.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private Object entry(String key, Object value, String secretKind) {
    if (secretKind == null && SecretKeys.isSecret(key, value instanceof String s ? s : null)) {
      return tree(value, SecretKeys.kindOf(key));
    }
    return tree(value, secretKind);
  }

  /** A value under a secret key: gone, unless it is empty, a placeholder or a reference (${VAR}). */
  private String redactedValue(String s, String kind) {
    return isNotASecret(s) ? s : "<redacted:" + kind + ">";
  }

  private static boolean isNotASecret(String v) {
    String t = v.trim();
    if (NOT_SECRETS.contains(AsciiLower.of(t)) || t.startsWith("<redacted:") || t.startsWith("${")
        || t.startsWith("{{") || t.startsWith("$(")) {
      return true;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (Character.isLetterOrDigit(c) && c != 'x' && c != 'X') {
        return false;
      }
    }
    return true; // "****", "xxxx", "---": a mask, not a secret
  }

  // ------------------------------------------------------------------ name = value pairs

  private record Span(int start, int end, String kind) {
  }

  /**
   * Finds {@code name<sep>value} wherever {@code name} is a secret name: {@code key=value},
   * {@code key: value}, {@code "key": "value"}, {@code \"key\":\"value\"} (JSON inside a string),
   * {@code <key>value</key>}, {@code --key value}. Hand-written: it starts only where a stem occurs.
   */
  private static String redactPairs(String text, String lower) {
    List<Span> spans = null;
    for (String stem : PAIR_STEMS) {
      int at = lower.indexOf(stem);
      while (at >= 0) {
        int ks = at;
        while (ks > 0 && isKeyChar(text.charAt(ks - 1))) {
          ks--;
        }
        int ke = at + stem.length();
        while (ke < text.length() && isKeyChar(text.charAt(ke))) {
          ke++;
        }
        Span span = pair(text, ks, ke);
        if (span != null) {
          if (spans == null) {
            spans = new ArrayList<>(2);
          }
          spans.add(span);
        }
        at = lower.indexOf(stem, ke);
      }
    }
    if (spans == null) {
      return text;
    }
    spans.sort((a, b) -> Integer.compare(a.start, b.start));
    StringBuilder sb = new StringBuilder(text.length());
    int last = 0;
    for (Span s : spans) {
      if (s.start < last) {
        continue; // overlaps one already replaced
      }
      sb.append(text, last, s.start).append("<redacted:").append(s.kind).append('>');
      last = s.end;
    }
    return sb.append(text, last, text.length()).toString();
  }

  private static boolean isKeyChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.';
  }

  /** The value span of a secret pair whose name is {@code text[ks, ke)}, or null. */
  private static Span pair(String text, int ks, int ke) {
    while (ke > ks && (text.charAt(ke - 1) == '.' || text.charAt(ke - 1) == '-')) {
      ke--; // "the token." ends a sentence
    }
    if (ke <= ks) {
      return null;
    }
    String name = text.substring(ks, ke);
    boolean flag = name.startsWith("--");
    String bare = name.replaceFirst("^-+", "");
    String norm = SecretKeys.normalize(bare);
    boolean routingKey = norm.endsWith("routingkey");
    if (norm.equals("key")) {
      if (!(ks > 0 && (text.charAt(ks - 1) == '?' || text.charAt(ks - 1) == '&'))) {
        return null; // "key" alone is a secret only as a query parameter (?key=…)
      }
    } else if (!routingKey && !SecretKeys.isSecretDotted(bare)) {
      return null;
    }
    int n = text.length();
    int i = ke;
    String kind = SecretKeys.kindOf(bare.substring(bare.lastIndexOf('.') + 1));
    boolean authorization = norm.contains("authorization");
    boolean prose = false;
    int vs;
    int ve;
    if (ks > 0 && text.charAt(ks - 1) == '<' && i < n && text.charAt(i) == '>') {
      vs = i + 1; // <password>…</password>
      ve = text.indexOf('<', vs);
      if (ve < 0) {
        return null;
      }
    } else {
      if (i < n && (text.charAt(i) == '"' || text.charAt(i) == '\'')) {
        i++;
      } else if (text.startsWith("\\\"", i)) {
        i += 2;
      }
      int beforeSpaces = i;
      while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
      char sep = i < n ? text.charAt(i) : 0;
      if (sep == '=' || sep == ':') {
        char next = i + 1 < n ? text.charAt(i + 1) : 0;
        if (next == ':' || sep == '=' && next == '=') {
          return null; // Token::Invalid, password == x
        }
        i++;
        if (i < n && text.charAt(i) == '>') {
          i++; // Ruby's =>
        }
        prose = sep == ':' && i < n && text.charAt(i) == ' ';
      } else if (!(flag && i > beforeSpaces)) {
        return null;
      }
      while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
      if (i >= n) {
        return null;
      }
      boolean wholeLine = kind.equals("cookie") && (norm.equals("cookie") || norm.equals("setcookie"));
      boolean quoted = false;
      char open = text.charAt(i);
      if (open == '"' || open == '\'') {
        quoted = true;
        vs = i + 1;
        ve = vs;
        while (ve < n && text.charAt(ve) != open && text.charAt(ve) != '\n') {
          ve += text.charAt(ve) == '\\' ? 2 : 1;
        }
        ve = Math.min(ve, n);
      } else if (text.startsWith("\\\"", i)) {
        quoted = true;
        vs = i + 2;
        ve = text.indexOf("\\\"", vs);
        ve = ve < 0 ? lineEnd(text, vs) : ve;
      } else {
        vs = i;
        ve = -1;
      }
      if (authorization) {
        int schemeEnd = vs;
        while (schemeEnd < n && isKeyChar(text.charAt(schemeEnd))) {
          schemeEnd++;
        }
        String scheme = AsciiLower.of(text.substring(vs, schemeEnd));
        if (SCHEMES.contains(scheme) && schemeEnd < n && text.charAt(schemeEnd) == ' ') {
          wholeLine = LONG_SCHEMES.contains(scheme);
          vs = schemeEnd + 1;
          while (vs < n && text.charAt(vs) == ' ') {
            vs++;
          }
          int eq = vs;
          while (eq < n && isKeyChar(text.charAt(eq))) {
            eq++;
          }
          if (!wholeLine && eq < n && eq > vs && text.charAt(eq) == '='
              && SecretKeys.isSecret(text.substring(vs, eq))) {
            return null; // "Token token=…": the inner pair is redacted on its own
          }
          prose = false;
        }
      }
      if (ve < 0 || wholeLine && !quoted) {
        if (wholeLine || startsLine(text, ks) && !flag && text.indexOf('\n') >= 0) {
          ve = lineEnd(text, vs);
          if (!wholeLine) {
            ve = valueEndInLine(text, vs, ve);
          }
          prose = false;
        } else {
          ve = vs;
          while (ve < n && !Character.isWhitespace(text.charAt(ve)) && ",;&\"'}])<>".indexOf(text.charAt(ve)) < 0) {
            ve++;
          }
          while (ve > vs && ":.,".indexOf(text.charAt(ve - 1)) >= 0) {
            ve--; // the sentence's punctuation, not the secret's
          }
        }
      } else {
        prose = false;
      }
    }
    while (ve > vs && Character.isWhitespace(text.charAt(ve - 1))) {
      ve--;
    }
    if (ve <= vs) {
      return null;
    }
    String value = text.substring(vs, ve);
    if (isNotASecret(value) || routingKey && !SecretKeys.isSecret(bare, value)
        || norm.contains("signature") && value.length() < 16
        || prose && !SecretFormats.looksLikeToken(value) && value.length() < 16) {
      return null; // "token: Session has expired" is prose; "token: s3cr3t" is not
    }
    return new Span(vs, ve, kind);
  }

  /** A name at the start of a line (after spaces, {@code export}, a YAML list dash): a config line. */
  private static boolean startsLine(String text, int ks) {
    int i = ks - 1;
    while (i >= 0 && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i--;
    }
    if (i >= 6 && text.startsWith("export", i - 5) && (i - 6 < 0 || text.charAt(i - 6) == '\n')) {
      return true;
    }
    if (i >= 0 && text.charAt(i) == '-' && (i == 0 || text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\n')) {
      i--;
      while (i >= 0 && text.charAt(i) == ' ') {
        i--;
      }
    }
    return i < 0 || text.charAt(i) == '\n';
  }

  private static int lineEnd(String text, int from) {
    int nl = text.indexOf('\n', from);
    return nl < 0 ? text.length() : nl;
  }

  /** In a config line, the value ends at the line's end, or at a {@code ;}/{@code ,} that starts another pair. */
  private static int valueEndInLine(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if ((c == ';' || c == ',' || c == '&') && i + 1 < to) {
        int j = i + 1;
        while (j < to && text.charAt(j) == ' ') {
          j++;
        }
        int k = j;
        while (k < to && isKeyChar(text.charAt(k))) {
          k++;
        }
        if (k > j && k < to && (text.charAt(k) == '=' || text.charAt(k) == ':')) {
          return i;
        }
      }
    }
    return to;
  }

  /**
   * scheme://user:password@host → scheme://user:<redacted:url-password>@host. Keeps the user and the
   * host, which are useful for diagnosis. Hand-written: a regex here would try every start position.
   */
  public static String redactUrlPasswords(String text) {
    StringBuilder sb = null;
    int last = 0;
    int scheme = text.indexOf("://");
    while (scheme >= 0) {
      int start = scheme + 3;
      int colon = -1;
      int at = -1;
      int end = start;
      // userinfo may not contain '/', but a generated password can: scan to the end of the token
      for (; end < text.length(); end++) {
        char c = text.charAt(end);
        if (Character.isWhitespace(c) || c == '"' || c == '\'' || c == '>' || c == '?' || c == '#') {
          break;
        }
        if (c == '/' && colon < 0) {
          break; // a '/' before any ':' ends the authority: no password here
        }
        if (c == ':' && colon < 0) {
          colon = end;
        } else if (c == '@' && colon >= 0) {
          at = end;
          break;
        }
      }
      if (colon >= 0 && at > colon + 1 && !isPortThenPath(text, colon + 1, at)
          && !text.startsWith("<redacted:", colon + 1)) {
        if (sb == null) {
          sb = new StringBuilder(text.length());
        }
        sb.append(text, last, colon + 1).append("<redacted:url-password>");
        last = at;
      }
      scheme = text.indexOf("://", Math.max(end, start));
    }
    if (sb == null) {
      return text;
    }
    return sb.append(text, last, text.length()).toString();
  }

  /** "8080/path/@scope": a port followed by a path that contains '@' (npm scopes), not a password. */
  private static boolean isPortThenPath(String text, int from, int to) {
    int slash = text.indexOf('/', from);
    if (slash < 0 || slash >= to || slash == from) {
      return false;
    }
    for (int i = from; i < slash; i++) {
      if (!Character.isDigit(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static String apply(SecretFormats.Format rule, String text) {
    Matcher m = rule.pattern().matcher(text);
    if (!m.find()) {
      return text;
    }
    String marker = "<redacted:" + rule.kind() + ">";
    StringBuilder sb = null;
    int last = 0;
    do {
      int gs = m.start(rule.group());
      int ge = m.end(rule.group());
      if (gs < 0 || rule.valid() != null && !rule.valid().test(text.substring(gs, ge))) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(text.length());
      }
      sb.append(text, last, gs).append(marker);
      last = ge;
    } while (m.find());
    return sb == null ? text : sb.append(text, last, text.length()).toString();
  }
}
