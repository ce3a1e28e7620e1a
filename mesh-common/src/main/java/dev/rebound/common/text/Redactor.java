package dev.rebound.common.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces secrets with {@code <redacted:KIND>} before a message is analysed, stored, logged or
 * forwarded. It errs on the side of redacting: a false positive costs a little context, a false
 * negative leaks a credential.
 *
 * <p>Kinds (stable, part of the API): {@code private-key}, {@code url-password}, {@code jwt},
 * {@code bearer-token}, {@code basic-auth}, {@code github-token}, {@code slack-token},
 * {@code aws-access-key}, {@code aws-secret}, {@code api-key}, {@code password}, {@code secret},
 * {@code token}.
 *
 * <p>Each pattern is guarded by a cheap substring test on the lower-cased text, so a message with no
 * secret-looking fragment costs one lower-casing pass and a few {@code indexOf} calls.
 */
public final class Redactor {

  private static final Pattern PRIVATE_KEY = Pattern.compile(
      "-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\\z)",
      Pattern.DOTALL);
  private static final Pattern JWT = Pattern.compile(
      "\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
  private static final Pattern BEARER = Pattern.compile(
      "(?i)\\b(bearer)(\\s+)([A-Za-z0-9._~+/=-]{8,})");
  private static final Pattern BASIC = Pattern.compile(
      "(?i)(authorization\\s*[:=]\\s*basic)(\\s+)([A-Za-z0-9+/=]{8,})");
  private static final Pattern GITHUB = Pattern.compile(
      "\\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})\\b");
  private static final Pattern SLACK = Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{8,}|\\bxapp-[A-Za-z0-9-]{8,}");
  private static final Pattern AWS_ACCESS_KEY = Pattern.compile("\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\\b");
  private static final Pattern AWS_SECRET = Pattern.compile(
      "(?i)(aws_?secret_?access_?key|aws_?secret|secret_?access_?key)([\"']?\\s*[:=]\\s*[\"']?)([A-Za-z0-9/+=]{16,})");
  private static final Pattern API_KEY = Pattern.compile(
      "\\bsk-(?:proj-|ant-(?:api\\d+-)?|svcacct-|admin-)?[A-Za-z0-9_-]{16,}|\\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"
          + "|\\bAIza[0-9A-Za-z_-]{30,}");
  private static final Pattern PAIR = Pattern.compile(
      "(?i)(\\b(password|passwd|pwd|passphrase|client_secret|secret_key|secret|access_token|refresh_token|auth_token"
          + "|id_token|token|api_key|apikey|api-key|x-api-key)[\"']?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,;&\"'}\\])]+)");

  private record Rule(String kind, Pattern pattern, String[] guards, int keepGroups) {
  }

  private static final List<Rule> RULES = List.of(
      new Rule("private-key", PRIVATE_KEY, new String[] {"private key"}, 0),
      new Rule("jwt", JWT, new String[] {"eyj"}, 0),
      new Rule("basic-auth", BASIC, new String[] {"basic"}, 2),
      new Rule("bearer-token", BEARER, new String[] {"bearer"}, 2),
      new Rule("github-token", GITHUB, new String[] {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}, 0),
      new Rule("slack-token", SLACK, new String[] {"xox", "xapp-"}, 0),
      new Rule("aws-access-key", AWS_ACCESS_KEY, new String[] {"akia", "asia", "agpa", "aida", "aroa", "anpa"}, 0),
      new Rule("aws-secret", AWS_SECRET, new String[] {"secret"}, 2),
      new Rule("api-key", API_KEY, new String[] {"sk-", "sk_", "rk_", "aiza"}, 0));

  // Keys of key=value / "key": value pairs; the pair regex only runs when one is followed by '=' or ':'.
  private static final String[] PAIR_KEYS = {"pass", "pwd", "secret", "token", "key"};

  // Every guard of every rule, then the pair keys, then "://": one automaton pass finds them all.
  public static final String[] GUARD_WORDS;
  private static final int[][] GUARDS_OF_RULE;
  private static final int FIRST_PAIR_KEY;
  private static final int URL_MARK;
  private static final Keywords GUARDS;

  static {
    List<String> words = new ArrayList<>();
    GUARDS_OF_RULE = new int[RULES.size()][];
    for (int r = 0; r < RULES.size(); r++) {
      String[] g = RULES.get(r).guards;
      GUARDS_OF_RULE[r] = new int[g.length];
      for (int k = 0; k < g.length; k++) {
        GUARDS_OF_RULE[r][k] = words.size();
        words.add(g[k]);
      }
    }
    FIRST_PAIR_KEY = words.size();
    words.addAll(List.of(PAIR_KEYS));
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
    boolean anyRule = false;
    boolean[] run = new boolean[RULES.size()];
    for (int r = 0; r < RULES.size(); r++) {
      for (int g : GUARDS_OF_RULE[r]) {
        if (found.has(offset + g)) {
          run[r] = true;
          anyRule = true;
        }
      }
    }
    boolean pairKey = false;
    for (int k = 0; k < PAIR_KEYS.length; k++) {
      pairKey |= found.has(offset + FIRST_PAIR_KEY + k);
    }
    if (found.has(offset + URL_MARK)) {
      String replaced = redactUrlPasswords(out);
      if (replaced != out) {
        out = replaced;
        lower = AsciiLower.of(out);
      }
    }
    for (int r = 0; anyRule && r < RULES.size(); r++) {
      if (!run[r]) {
        continue;
      }
      Rule rule = RULES.get(r);
      String replaced = apply(rule, out);
      if (replaced != out) {
        out = replaced;
        lower = AsciiLower.of(out);
      }
    }
    if (pairKey && pairLikely(lower)) {
      out = redactPairs(out);
    }
    return out;
  }

  /** True when a pair key is followed (after an optional quote and spaces) by '=' or ':'. */
  private static boolean pairLikely(String lower) {
    for (String key : PAIR_KEYS) {
      int at = lower.indexOf(key);
      while (at >= 0) {
        int i = at + key.length();
        while (i < lower.length() && i - at < key.length() + 24 && (Character.isLetterOrDigit(lower.charAt(i))
            || lower.charAt(i) == '_' || lower.charAt(i) == '-')) {
          i++; // the rest of the key: password_hash, api_key, access_token
        }
        while (i < lower.length() && (lower.charAt(i) == '"' || lower.charAt(i) == '\'' || lower.charAt(i) == ' ')) {
          i++;
        }
        if (i < lower.length() && (lower.charAt(i) == '=' || lower.charAt(i) == ':')) {
          return true;
        }
        at = lower.indexOf(key, at + 1);
      }
    }
    return false;
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

  private static String apply(Rule rule, String text) {
    Matcher m = rule.pattern.matcher(text);
    if (!m.find()) {
      return text;
    }
    String marker = "<redacted:" + rule.kind + ">";
    StringBuilder sb = new StringBuilder(text.length());
    int last = 0;
    do {
      sb.append(text, last, m.start());
      for (int g = 1; g <= rule.keepGroups; g++) {
        sb.append(m.group(g));
      }
      sb.append(marker);
      last = m.end();
    } while (m.find());
    sb.append(text, last, text.length());
    return sb.toString();
  }

  private static String redactPairs(String text) {
    Matcher m = PAIR.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    int last = 0;
    do {
      String value = m.group(3);
      String bare = value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
          ? value.substring(1, value.length() - 1) : value;
      sb.append(text, last, m.start());
      if (bare.startsWith("<redacted:") || bare.isEmpty()) {
        sb.append(m.group());
      } else {
        String marker = "<redacted:" + pairKind(AsciiLower.of(m.group(2))) + ">";
        sb.append(m.group(1));
        if (bare != value) {
          sb.append(value.charAt(0)).append(marker).append(value.charAt(0));
        } else {
          sb.append(marker);
        }
      }
      last = m.end();
    } while (m.find());
    sb.append(text, last, text.length());
    return sb.toString();
  }

  private static String pairKind(String key) {
    if (key.startsWith("pass") || key.equals("pwd")) {
      return "password";
    }
    if (key.contains("secret")) {
      return "secret";
    }
    if (key.contains("key")) {
      return "api-key";
    }
    return "token";
  }
}
