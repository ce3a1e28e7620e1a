package dev.rebound.analyzer.domain;

import dev.rebound.common.text.AsciiLower;

import java.util.ArrayList;
import java.util.List;

/**
 * Extracts required literal factors from a regex: a set of lower-case strings such that every text
 * the regex finds a match in contains at least one of them. Handles top-level alternation, groups,
 * classes, escapes and quantifiers conservatively; returns null when it cannot promise anything
 * (the rule is then always a candidate, which is correct, just slower).
 */
final class RegexLiterals {
  static final int MIN_LENGTH = 3;

  private RegexLiterals() {
  }

  /**
   * The lower-case literal a regex is made of when it has no operators at all (escaped punctuation
   * allowed), else null. For such a regex an Aho–Corasick hit is already the match.
   */
  static String pureLiteral(String regex) {
    StringBuilder sb = new StringBuilder(regex.length());
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        if (i + 1 >= regex.length() || Character.isLetterOrDigit(regex.charAt(i + 1))) {
          return null;
        }
        sb.append(regex.charAt(++i));
      } else if ("[](){}.*+?^$|".indexOf(c) >= 0) {
        return null;
      } else if (c > 127) {
        return null; // keep the equivalence with ASCII-only case folding obvious
      } else {
        sb.append(c);
      }
    }
    return sb.length() >= MIN_LENGTH ? AsciiLower.of(sb.toString()) : null;
  }

  /**
   * The lower-case literal every match must start with (after an optional leading {@code \\b}), at
   * least {@link #MIN_LENGTH} long, or null. Lets the matcher try only the positions where it occurs.
   */
  static String leadingLiteral(String regex) {
    List<String> all = leadingLiterals(regex);
    return all != null && all.size() == 1 ? all.get(0) : null;
  }

  /**
   * Like {@link #leadingLiteral}, but a regex may also start with a group of alternatives
   * ({@code (?:could not|unable to) connect}): then every match starts with one of several literals.
   */
  static List<String> leadingLiterals(String regex) {
    int start = regex.startsWith("\\b") ? 2 : 0;
    if (start < regex.length() && regex.charAt(start) == '(' && !regex.startsWith("(?", start)
        || regex.startsWith("(?:", start)) {
      int close = closingParen(regex, start);
      if (close < 0 || close + 1 < regex.length() && "?*{".indexOf(regex.charAt(close + 1)) >= 0) {
        return null;
      }
      List<String> top = splitTopLevel(regex);
      if (top == null || top.size() != 1) {
        return null;
      }
      String inner = regex.substring(start + (regex.startsWith("(?:", start) ? 3 : 1), close);
      List<String> alternatives = splitTopLevel(inner);
      if (alternatives == null) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (String alt : alternatives) {
        List<String> lits = leadingLiterals(alt);
        if (lits == null) {
          return null;
        }
        out.addAll(lits);
      }
      return out;
    }
    String single = leadingSingle(regex);
    return single == null ? null : List.of(single);
  }

  private static String leadingSingle(String regex) {
    int i = regex.startsWith("\\b") ? 2 : 0;
    StringBuilder sb = new StringBuilder();
    while (i < regex.length()) {
      char c = regex.charAt(i);
      char lit;
      int next;
      if (c == '\\') {
        if (i + 1 >= regex.length() || Character.isLetterOrDigit(regex.charAt(i + 1))) {
          break;
        }
        lit = regex.charAt(i + 1);
        next = i + 2;
      } else if ("[](){}.*+?^$|".indexOf(c) >= 0 || c > 127) {
        break;
      } else {
        lit = c;
        next = i + 1;
      }
      if (next < regex.length() && "?*{".indexOf(regex.charAt(next)) >= 0) {
        break; // this char is optional or repeated: the literal ends before it
      }
      sb.append(lit);
      i = next;
      if (next < regex.length() && regex.charAt(next) == '+') {
        break;
      }
      if (next < regex.length() && regex.charAt(next) == '|') {
        return null; // top-level alternation: another branch may start differently
      }
    }
    if (regex.indexOf('|') >= 0 && !alternationInsideGroups(regex)) {
      return null;
    }
    return sb.length() >= MIN_LENGTH ? AsciiLower.of(sb.toString()) : null;
  }

  private static boolean alternationInsideGroups(String regex) {
    List<String> branches = splitTopLevel(regex);
    return branches != null && branches.size() == 1;
  }

  static List<String> required(String regex) {
    List<String> branches = splitTopLevel(regex);
    if (branches == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String branch : branches) {
      RegexLiterals x = new RegexLiterals();
      String best = x.longestMandatory(branch);
      int bestLength = best == null ? 0 : best.length();
      if (x.bestSet != null && minLength(x.bestSet) > bestLength) {
        out.addAll(x.bestSet); // a mandatory group of alternatives: one of them must occur
      } else if (bestLength >= MIN_LENGTH) {
        out.add(best);
      } else {
        return null;
      }
    }
    return out;
  }

  private static int minLength(List<String> set) {
    int min = Integer.MAX_VALUE;
    for (String s : set) {
      min = Math.min(min, s.length());
    }
    return min;
  }

  // The most selective mandatory group of alternatives seen in the branch (each alternative's literals).
  private List<String> bestSet;

  private static List<String> splitTopLevel(String r) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = skipClass(r, i);
        if (i < 0) {
          return null;
        }
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == '|' && depth == 0) {
        out.add(r.substring(start, i));
        start = i + 1;
      }
    }
    out.add(r.substring(start));
    return out;
  }

  /** Index of the closing ']' of the class opening at {@code open}, or -1. */
  private static int skipClass(String r, int open) {
    int i = open + 1;
    if (i < r.length() && r.charAt(i) == '^') {
      i++;
    }
    if (i < r.length() && r.charAt(i) == ']') {
      i++;
    }
    int nested = 0;
    for (; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        nested++;
      } else if (c == ']') {
        if (nested == 0) {
          return i;
        }
        nested--;
      }
    }
    return -1;
  }

  private static int closingParen(String r, int open) {
    int depth = 0;
    for (int i = open; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = skipClass(r, i);
        if (i < 0) {
          return -1;
        }
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  private String longestMandatory(String r) {
    StringBuilder cur = new StringBuilder();
    String best = "";
    int i = 0;
    while (i < r.length()) {
      char c = r.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 >= r.length()) {
            return null;
          }
          char n = r.charAt(i + 1);
          if (n == 'Q') {
            int e = r.indexOf("\\E", i + 2);
            String quoted = e < 0 ? r.substring(i + 2) : r.substring(i + 2, e);
            cur.append(AsciiLower.of(quoted));
            i = e < 0 ? r.length() : e + 2;
            continue;
          }
          if (Character.isLetterOrDigit(n)) {
            best = flush(cur, best);
            i += 2;
            if ((n == 'p' || n == 'P') && i < r.length() && r.charAt(i) == '{') {
              i = r.indexOf('}', i) + 1;
            }
            if (n == 'b' || n == 'B' || n == 'A' || n == 'z' || n == 'Z' || n == 'G') {
              continue; // zero-width: nothing to quantify
            }
            i = afterQuantifier(r, i, null);
            continue;
          }
          cur.append(AsciiLower.of(String.valueOf(n)));
          i += 2;
          i = afterQuantifier(r, i, cur);
          if (quantified) {
            best = flush(cur, best);
          }
        }
        case '[' -> {
          best = flush(cur, best);
          int close = skipClass(r, i);
          if (close < 0) {
            return null;
          }
          i = afterQuantifier(r, close + 1, null);
        }
        case '(' -> {
          best = flush(cur, best);
          int close = closingParen(r, i);
          if (close < 0) {
            return null;
          }
          String inner = r.substring(i + 1, close);
          boolean zeroWidth = inner.startsWith("?=") || inner.startsWith("?!") || inner.startsWith("?<=")
              || inner.startsWith("?<!");
          boolean flagsOnly = inner.matches("\\?[a-zA-Z-]+");
          if (inner.startsWith("?:")) {
            inner = inner.substring(2);
          } else if (inner.startsWith("?<") && !zeroWidth) {
            inner = inner.substring(inner.indexOf('>') + 1);
          } else if (inner.matches("\\?[a-zA-Z-]+:.*")) {
            inner = inner.substring(inner.indexOf(':') + 1);
          }
          int next = close + 1;
          boolean optional = next < r.length() && (r.charAt(next) == '?' || r.charAt(next) == '*'
              || r.startsWith("{0", next));
          i = afterQuantifier(r, next, null);
          if (flagsOnly || zeroWidth || optional) {
            continue;
          }
          List<String> alternatives = splitTopLevel(inner);
          if (alternatives != null && alternatives.size() == 1) {
            String innerBest = longestMandatory(inner);
            if (innerBest != null && innerBest.length() > best.length()) {
              best = innerBest;
            }
          } else if (alternatives != null) {
            List<String> union = required(inner);
            if (union != null && (bestSet == null || minLength(union) > minLength(bestSet))) {
              bestSet = union;
            }
          }
        }
        case '.', '^', '$' -> {
          best = flush(cur, best);
          i = afterQuantifier(r, i + 1, null);
        }
        case '?', '*', '+', '{' -> {
          return null; // a quantifier without an operand: leave it to the regex engine
        }
        default -> {
          cur.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
          i = afterQuantifier(r, i + 1, cur);
          if (quantified) {
            best = flush(cur, best);
          }
        }
      }
    }
    return flush(cur, best);
  }

  // Set by afterQuantifier: whether the atom just read was quantified (one instance per extraction).
  private boolean quantified;

  /**
   * Skips a quantifier after an atom. When {@code cur} is given (the atom was its last char), an
   * optional quantifier removes that char; any quantifier ends the current run.
   */
  private int afterQuantifier(String r, int i, StringBuilder cur) {
    quantified = false;
    if (i >= r.length()) {
      return i;
    }
    char q = r.charAt(i);
    boolean optional;
    int next;
    if (q == '?' || q == '*') {
      optional = true;
      next = i + 1;
    } else if (q == '+') {
      optional = false;
      next = i + 1;
    } else if (q == '{') {
      int close = r.indexOf('}', i);
      if (close < 0) {
        return r.length();
      }
      optional = r.startsWith("{0", i);
      next = close + 1;
    } else {
      return i;
    }
    quantified = true;
    if (next < r.length() && (r.charAt(next) == '?' || r.charAt(next) == '+')) {
      next++; // lazy or possessive
    }
    if (cur != null && optional && cur.length() > 0) {
      cur.setLength(cur.length() - 1);
    }
    return next;
  }

  private static String flush(StringBuilder cur, String best) {
    String s = cur.toString();
    cur.setLength(0);
    return s.length() > best.length() ? s : best;
  }
}
