package dev.rebound.analyzer.domain;

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

  static List<String> required(String regex) {
    List<String> branches = splitTopLevel(regex);
    if (branches == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String branch : branches) {
      String best = new RegexLiterals().longestMandatory(branch);
      if (best == null || best.length() < MIN_LENGTH) {
        return null;
      }
      out.add(best);
    }
    return out;
  }

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
