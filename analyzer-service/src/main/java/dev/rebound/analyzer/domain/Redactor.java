package dev.rebound.analyzer.domain;

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
  // scheme://user:password@host — keeps the user and the host, which are useful for diagnosis.
  private static final Pattern URL_PASSWORD = Pattern.compile(
      "([a-zA-Z][a-zA-Z0-9+.-]{0,20}://)([^:/?#@\\s]*):([^@/\\s]+)@");
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
      new Rule("url-password", URL_PASSWORD, new String[] {"://"}, -1),
      new Rule("jwt", JWT, new String[] {"eyj"}, 0),
      new Rule("basic-auth", BASIC, new String[] {"basic"}, 2),
      new Rule("bearer-token", BEARER, new String[] {"bearer"}, 2),
      new Rule("github-token", GITHUB, new String[] {"gh", "github_pat_"}, 0),
      new Rule("slack-token", SLACK, new String[] {"xox", "xapp-"}, 0),
      new Rule("aws-access-key", AWS_ACCESS_KEY, new String[] {"akia", "asia", "agpa", "aida", "aroa", "anpa"}, 0),
      new Rule("aws-secret", AWS_SECRET, new String[] {"secret"}, 2),
      new Rule("api-key", API_KEY, new String[] {"sk-", "sk_", "rk_", "aiza"}, 0));

  private static final String[] PAIR_GUARDS = {"pass", "pwd", "secret", "token", "key"};

  /** Returns {@code text} with every recognised secret replaced by {@code <redacted:KIND>}. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text == null ? "" : text;
    }
    String lower = AsciiLower.of(text);
    String out = text;
    for (Rule rule : RULES) {
      if (!anyGuard(lower, rule.guards)) {
        continue;
      }
      String replaced = apply(rule, out);
      if (replaced != out) {
        out = replaced;
        lower = AsciiLower.of(out);
      }
    }
    if (anyGuard(lower, PAIR_GUARDS)) {
      out = redactPairs(out);
    }
    return out;
  }

  private static boolean anyGuard(String lower, String[] guards) {
    for (String g : guards) {
      if (lower.indexOf(g) >= 0) {
        return true;
      }
    }
    return false;
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
      if (rule.keepGroups == -1) { // url-password: scheme, user, marker, '@'
        sb.append(m.group(1)).append(m.group(2)).append(':').append(marker).append('@');
      } else {
        for (int g = 1; g <= rule.keepGroups; g++) {
          sb.append(m.group(g));
        }
        sb.append(marker);
      }
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
