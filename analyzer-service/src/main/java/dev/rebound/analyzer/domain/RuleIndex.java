package dev.rebound.analyzer.domain;

import dev.rebound.common.text.Candidates;
import dev.rebound.common.text.LiteralIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalog compiled for matching. Candidate rules come from an Aho–Corasick pass over the text
 * (each rule is indexed by the literals one of which it requires) and from hash lookups of the
 * structured codes; only candidates run their regexes, and each distinct regex runs at most once per
 * failure even when several rules share it. Regexes read the text through a
 * {@link BoundedCharSequence}, so no pattern can take more than its budget.
 */
final class RuleIndex {

  /**
   * Rules whose id starts with this are general signals (issue 11 §2: exception-type families, error codes, the
   * words of a failure): they rank below specific rules by priority and, restating what a specific rule already
   * read, never count for or against a specific rule's verdict.
   */
  static final String GENERAL_PREFIX = "general-";

  /** A compiled rule. */
  static final class Compiled {
    final Rule rule;
    final int index;
    final int[] regexIds;
    final String[] contains;
    final double specificity;
    final String matchedReason;
    final String plainDiscriminator;
    /** A general signal ({@code general-…}): decides only when no specific rule does; see {@link RuleIndex#GENERAL_PREFIX}. */
    final boolean general;
    /** The rule's exception families in lower case ({@code *timeout*}), null when it names none. */
    final String[] familiesLower;
    /** True when each regex is indexed by its own literal: a regex whose literal is absent is skipped. */
    boolean regexesIndexed;

    Compiled(Rule rule, int index, int[] regexIds, double specificity, String matcherKinds) {
      this.rule = rule;
      this.index = index;
      this.regexIds = regexIds;
      this.contains = rule.match().contains().toArray(new String[0]);
      this.specificity = specificity;
      this.plainDiscriminator = rule.id() + "|||||";
      this.general = rule.id().startsWith(GENERAL_PREFIX);
      String[] families = rule.match().exceptions().stream().filter(ExceptionNames::isFamily)
          .map(x -> x.toLowerCase(Locale.ROOT)).toArray(String[]::new);
      this.familiesLower = families.length == 0 ? null : families;
      // built once: verdicts reuse it instead of formatting a number per failure
      this.matchedReason = "rule " + rule.id() + " matched (" + matcherKinds + "), specificity "
          + String.format(Locale.ROOT, "%.2f", specificity) + (rule.confidence() != null ? " set by the rule" : "");
    }
  }

  /** Per-thread scratch space, so matching allocates next to nothing. */
  static final class Scratch {
    final Candidates candidates;
    final byte[] regexResult; // 1 match, 2 no match, 3 over budget; valid when regexStamp == generation
    final int[] regexStamp;
    final int[] regexPossible; // == generation when the regex's literal occurred in this text
    int generation;
    String scanned; // the text the candidates were collected from

    Scratch(int rules, int regexes) {
      candidates = new Candidates(rules);
      regexResult = new byte[regexes];
      regexStamp = new int[regexes];
      regexPossible = new int[regexes];
    }
  }

  private final Compiled[] rules;
  private final Pattern[] regexes;
  private final boolean[] pureLiteral; // the regex is a plain phrase: a literal hit is the match
  private final String[][] leadingLiterals; // every match starts with one of these (lower case): try only there
  private final LiteralIndex literals;
  private final int[] alwaysCandidates;
  private final int[][] byStatus = new int[600][];
  private final Map<Integer, int[]> byExitCode;
  private final Map<String, int[]> bySignal;
  private final Map<String, int[]> bySqlState;
  private final Map<String, int[]> byExceptionSimpleName;
  // rules naming a family of exception types (*TimeoutException): tried against each exception's simple name
  private final int[] exceptionFamilyRules;
  private final String[][] exceptionFamilies; // per entry of exceptionFamilyRules, its families in lower case
  // simple name (lower case) -> the family rules it belongs to; exception names are a small vocabulary
  private final java.util.concurrent.ConcurrentHashMap<String, int[]> familiesOfName = new java.util.concurrent.ConcurrentHashMap<>();
  static final int MAX_CACHED_EXCEPTION_NAMES = 4096;
  static final int MAX_CACHED_NAME_LENGTH = 128; // so the cache stays small whatever the messages hold
  private final int slots;
  // the highest priority of a general rule: once a non-general rule above it matched, no general rule can decide
  private final int maxGeneralPriority;
  private final long budgetFloor;
  private final int budgetPerChar;
  private final ThreadLocal<Scratch> scratch;

  RuleIndex(List<Rule> catalog, long budgetFloor, int budgetPerChar) {
    this(catalog, budgetFloor, budgetPerChar, new String[0]);
  }

  /**
   * @param extraWords words the same automaton pass should also find (redaction guards, code gates):
   *                   word k is reported as candidate {@code size() + k}, see {@link #extraOffset()}
   */
  RuleIndex(List<Rule> catalog, long budgetFloor, int budgetPerChar, String[] extraWords) {
    this.budgetFloor = budgetFloor;
    this.budgetPerChar = budgetPerChar;
    Map<String, Integer> regexIds = new LinkedHashMap<>();
    Map<String, List<Integer>> literalMap = LiteralIndex.newLiteralMap();
    Map<String, List<Integer>> regexLiteralMap = new HashMap<>();
    List<Integer> always = new ArrayList<>();
    Map<Integer, List<Integer>> status = new HashMap<>();
    Map<Integer, List<Integer>> exit = new HashMap<>();
    Map<String, List<Integer>> signal = new HashMap<>();
    Map<String, List<Integer>> sql = new HashMap<>();
    Map<String, List<Integer>> exception = new HashMap<>();
    List<Integer> families = new ArrayList<>();
    rules = new Compiled[catalog.size()];
    for (int i = 0; i < catalog.size(); i++) {
      Rule r = catalog.get(i);
      Rule.Matchers m = r.match();
      int[] ids = new int[m.regex().size()];
      for (int k = 0; k < ids.length; k++) {
        ids[k] = regexIds.computeIfAbsent(m.regex().get(k), x -> regexIds.size());
      }
      rules[i] = new Compiled(r, i, ids, specificity(r), kinds(r));

      // Index each rule once, by the cheapest thing it is guaranteed to require.
      List<List<String>> perRegex = regexLiterals(r);
      List<String> required = perRegex == null ? requiredLiterals(r) : null;
      if (perRegex != null) {
        rules[i].regexesIndexed = true;
        for (int k = 0; k < perRegex.size(); k++) {
          for (String lit : perRegex.get(k)) {
            LiteralIndex.put(literalMap, lit, i);
            LiteralIndex.put(regexLiteralMap, lit, ids[k]);
          }
        }
      } else if (required != null) {
        for (String lit : required) {
          LiteralIndex.put(literalMap, lit, i);
        }
      } else if (!m.sqlStates().isEmpty()) {
        for (String s : m.sqlStates()) {
          sql.computeIfAbsent(s, k -> new ArrayList<>()).add(i);
        }
      } else if (m.exceptions().stream().anyMatch(ExceptionNames::isFamily)) {
        families.add(i);
      } else if (!m.exceptions().isEmpty()) {
        for (String e : m.exceptions()) {
          exception.computeIfAbsent(ExceptionNames.simpleName(e).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(i);
        }
      } else if (!m.httpStatus().isEmpty()) {
        for (Rule.StatusRange range : m.httpStatus()) {
          for (int s = range.from(); s <= range.to(); s++) {
            status.computeIfAbsent(s, k -> new ArrayList<>()).add(i);
          }
        }
      } else if (!m.signals().isEmpty()) {
        for (String s : m.signals()) {
          signal.computeIfAbsent(s, k -> new ArrayList<>()).add(i);
        }
      } else if (!m.exitCodes().isEmpty()) {
        for (Integer c : m.exitCodes()) {
          exit.computeIfAbsent(c, k -> new ArrayList<>()).add(i);
        }
      } else {
        always.add(i);
      }
    }
    regexes = new Pattern[regexIds.size()];
    pureLiteral = new boolean[regexIds.size()];
    leadingLiterals = new String[regexIds.size()][];
    regexIds.forEach((re, id) -> {
      regexes[id] = Pattern.compile(re, Pattern.CASE_INSENSITIVE);
      String lit = RegexLiterals.pureLiteral(re);
      List<String> req = RegexLiterals.required(re);
      pureLiteral[id] = lit != null && req != null && req.size() == 1 && req.get(0).equals(lit);
      List<String> leads = RegexLiterals.leadingLiterals(re);
      leadingLiterals[id] = leads == null ? null : leads.toArray(new String[0]);
    });
    for (int k = 0; k < extraWords.length; k++) {
      LiteralIndex.put(literalMap, extraWords[k], catalog.size() + k);
    }
    literals = new LiteralIndex(literalMap, regexLiteralMap);
    this.slots = catalog.size() + extraWords.length;
    alwaysCandidates = always.stream().mapToInt(Integer::intValue).toArray();
    maxGeneralPriority = Arrays.stream(rules).filter(c -> c.general).mapToInt(c -> c.rule.priority()).max().orElse(Integer.MIN_VALUE);
    status.forEach((s, l) -> byStatus[s] = toArray(l));
    byExitCode = freeze(exit);
    bySignal = freeze(signal);
    bySqlState = freeze(sql);
    byExceptionSimpleName = freeze(exception);
    exceptionFamilyRules = toArray(families);
    exceptionFamilies = new String[exceptionFamilyRules.length][];
    for (int k = 0; k < exceptionFamilyRules.length; k++) {
      exceptionFamilies[k] = rules[exceptionFamilyRules[k]].rule.match().exceptions().stream()
          .map(x -> ExceptionNames.isFamily(x) ? x.toLowerCase(Locale.ROOT) : ExceptionNames.simpleName(x).toLowerCase(Locale.ROOT))
          .toArray(String[]::new);
    }
    int slotCount = slots;
    int regexCount = regexes.length;
    scratch = ThreadLocal.withInitial(() -> new Scratch(slotCount, regexCount));
  }

  /**
   * For a rule whose only text matchers are regexes (no keywords, no contains), the required literals
   * of each regex, so a regex whose literals are absent is never run. Null otherwise.
   */
  private static List<List<String>> regexLiterals(Rule r) {
    Rule.Matchers m = r.match();
    if (!r.keywords().isEmpty() || !m.contains().isEmpty() || m.regex().isEmpty()) {
      return null;
    }
    List<List<String>> out = new ArrayList<>();
    for (String re : m.regex()) {
      List<String> lits = RegexLiterals.required(re);
      if (lits == null) {
        return null;
      }
      out.add(lits);
    }
    return out;
  }

  /** Literals of which the rule requires at least one, or null if it cannot be indexed by text. */
  private static List<String> requiredLiterals(Rule r) {
    if (!r.keywords().isEmpty()) {
      return r.keywords();
    }
    Rule.Matchers m = r.match();
    if (!m.contains().isEmpty()) {
      return m.contains();
    }
    if (!m.regex().isEmpty()) {
      List<String> all = new ArrayList<>();
      for (String re : m.regex()) {
        List<String> lits = RegexLiterals.required(re);
        if (lits == null) {
          return null;
        }
        all.addAll(lits);
      }
      return all;
    }
    return null;
  }

  /** How specific a rule's evidence is: structured codes beat loose text; several kinds together beat one. */
  static double specificity(Rule r) {
    if (r.confidence() != null) {
      return r.confidence();
    }
    Rule.Matchers m = r.match();
    double best = 0;
    int kinds = 0;
    if (!m.sqlStates().isEmpty()) { best = Math.max(best, 0.90); kinds++; }
    if (!m.exceptions().isEmpty()) { best = Math.max(best, 0.85); kinds++; }
    if (!m.signals().isEmpty()) { best = Math.max(best, 0.82); kinds++; }
    if (!m.httpStatus().isEmpty()) { best = Math.max(best, 0.75); kinds++; }
    if (!m.exitCodes().isEmpty()) { best = Math.max(best, 0.70); kinds++; }
    if (!m.regex().isEmpty()) { best = Math.max(best, 0.76); kinds++; }
    if (!m.contains().isEmpty()) { best = Math.max(best, 0.74); kinds++; }
    return Math.min(0.95, best + 0.05 * (kinds - 1));
  }

  private static String kinds(Rule r) {
    Rule.Matchers m = r.match();
    List<String> k = new ArrayList<>();
    if (!m.sqlStates().isEmpty()) k.add("sqlState");
    if (!m.exceptions().isEmpty()) k.add("exception");
    if (!m.signals().isEmpty()) k.add("signal");
    if (!m.httpStatus().isEmpty()) k.add("httpStatus");
    if (!m.exitCodes().isEmpty()) k.add("exitCode");
    if (!m.regex().isEmpty()) k.add("regex");
    if (!m.contains().isEmpty()) k.add("contains");
    return String.join("+", k);
  }

  int size() {
    return rules.length;
  }

  int unindexedRules() {
    return alwaysCandidates.length;
  }

  Compiled rule(int index) {
    return rules[index];
  }

  /** Result of matching: the indexes of the rules that matched, in catalog order, and regexes that gave up. */
  record Matches(int[] matched, List<String> budgetExceeded) {
  }

  Matches match(Evidence e) {
    return match(e, scratch.get());
  }

  Scratch newScratch() {
    return new Scratch(slots, regexes.length);
  }

  /** Where the extra words start among the candidates. */
  int extraOffset() {
    return rules.length;
  }

  /** One automaton pass over {@code lower}: rule candidates, possible regexes and extra words. */
  void scan(String lower, Scratch s) {
    s.candidates.clear();
    if (++s.generation == Integer.MAX_VALUE) {
      Arrays.fill(s.regexStamp, 0);
      Arrays.fill(s.regexPossible, 0);
      s.generation = 1;
    }
    literals.collect(lower, s.candidates, s.regexPossible, s.generation);
    s.scanned = lower;
  }

  /**
   * The rules that decide or weigh in: a general rule is not evaluated once a non-general rule of a higher priority
   * matched, since it could neither win nor count as agreement ({@link #matchAll} evaluates every candidate).
   */
  Matches match(Evidence e, Scratch s) {
    return match(e, s, false);
  }

  /** Every rule that matches, general ones included (for analyses of the catalog). */
  Matches matchAll(Evidence e, Scratch s) {
    return match(e, s, true);
  }

  private Matches match(Evidence e, Scratch s, boolean all) {
    if (s.scanned != e.lower) {
      scan(e.lower, s);
    }
    Candidates c = s.candidates;
    for (int r : alwaysCandidates) {
      c.add(r);
    }
    if (e.httpStatus != null && byStatus[e.httpStatus] != null) {
      addAll(c, byStatus[e.httpStatus]);
    }
    if (e.exitCode != null) {
      addAll(c, byExitCode.get(e.exitCode));
    }
    if (e.signal != null) {
      addAll(c, bySignal.get(e.signal));
    }
    if (e.sqlState != null) {
      addAll(c, bySqlState.get(e.sqlState));
      addAll(c, bySqlState.get(e.sqlState.substring(0, 2)));
    }
    for (String simple : e.exceptionSimpleNames()) {
      addAll(c, byExceptionSimpleName.get(simple));
      if (exceptionFamilyRules.length > 0) {
        addAll(c, familyRulesOf(simple));
      }
    }
    c.sort();
    s.scanned = null; // structured candidates were added: the next failure must scan afresh
    int[] matched = null;
    int count = 0;
    List<String> exceeded = List.of();
    int specificPriority = Integer.MIN_VALUE; // the highest priority among the non-general rules matched so far
    for (int i = 0; i < c.size(); i++) {
      if (c.get(i) >= rules.length) {
        continue; // an extra word, not a rule
      }
      Compiled rule = rules[c.get(i)];
      if (rule.general && !all && specificPriority > maxGeneralPriority) {
        continue;
      }
      int outcome = evaluate(rule, e, s);
      if (outcome == 1 && !rule.general) {
        specificPriority = Math.max(specificPriority, rule.rule.priority());
      }
      if (outcome == 1) {
        if (matched == null) {
          matched = new int[Math.min(c.size(), 16)];
        } else if (count == matched.length) {
          matched = Arrays.copyOf(matched, matched.length * 2);
        }
        matched[count++] = rule.index;
      } else if (outcome == -1) {
        if (exceeded.isEmpty()) {
          exceeded = new ArrayList<>();
        }
        exceeded.add(rule.rule.id());
      }
    }
    return new Matches(matched == null ? new int[0] : Arrays.copyOf(matched, count), exceeded);
  }

  /** 1 = matches, 0 = does not, -1 = a regex ran out of budget (treated as no match). */
  private int evaluate(Compiled c, Evidence e, Scratch s) {
    Rule.Matchers m = c.rule.match();
    if (!m.httpStatus().isEmpty()) {
      if (e.httpStatus == null) {
        return 0;
      }
      boolean any = false;
      for (Rule.StatusRange range : m.httpStatus()) {
        any |= range.contains(e.httpStatus);
      }
      if (!any) {
        return 0;
      }
    }
    if (!m.exitCodes().isEmpty() && (e.exitCode == null || !m.exitCodes().contains(e.exitCode))) {
      return 0;
    }
    if (!m.signals().isEmpty() && (e.signal == null || !m.signals().contains(e.signal))) {
      return 0;
    }
    if (!m.sqlStates().isEmpty()) {
      if (e.sqlState == null) {
        return 0;
      }
      boolean any = false;
      for (String state : m.sqlStates()) {
        any |= state.length() == 2 ? e.sqlState.startsWith(state) : e.sqlState.equals(state);
      }
      if (!any) {
        return 0;
      }
    }
    if (!m.exceptions().isEmpty()) {
      boolean any = false;
      if (c.familiesLower != null) {
        outer:
        for (String family : c.familiesLower) {
          for (String simple : e.exceptionSimpleNames()) {
            if (ExceptionNames.inFamily(family, simple)) {
              any = true;
              break outer;
            }
          }
        }
      }
      for (int k = 0; k < m.exceptions().size() && !any; k++) {
        String wanted = m.exceptions().get(k);
        if (ExceptionNames.isFamily(wanted)) {
          continue;
        }
        for (String actual : e.exceptions) {
          any |= ExceptionNames.matches(wanted, actual);
        }
      }
      if (!any) {
        return 0;
      }
    }
    if (c.contains.length > 0) {
      boolean any = false;
      for (String lit : c.contains) {
        if (e.lower.contains(lit)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return 0;
      }
    }
    if (c.regexIds.length > 0) {
      boolean exceeded = false;
      for (int id : c.regexIds) {
        if (c.regexesIndexed) {
          if (s.regexPossible[id] != s.generation) {
            continue; // its required literal is not in the text: it cannot match
          }
          if (pureLiteral[id]) {
            return 1; // the literal is the whole pattern, and the automaton found it
          }
        }
        int r = regex(id, e, s);
        if (r == 1) {
          return 1;
        }
        exceeded |= r == -1;
      }
      return exceeded ? -1 : 0;
    }
    return 1;
  }

  private int regex(int id, Evidence e, Scratch s) {
    if (s.regexStamp[id] == s.generation) {
      byte r = s.regexResult[id];
      return r == 1 ? 1 : r == 3 ? -1 : 0;
    }
    int result;
    try {
      long budget = Math.max(budgetFloor, (long) budgetPerChar * e.text.length());
      Matcher m = regexes[id].matcher(new BoundedCharSequence(e.text, budget));
      String[] leads = leadingLiterals[id];
      if (leads == null) {
        result = m.find() ? 1 : 0;
      } else {
        // every match starts at an occurrence of a leading literal: try only those positions
        m.useTransparentBounds(true).useAnchoringBounds(false);
        result = 0;
        outer:
        for (String lead : leads) {
          for (int at = e.lower.indexOf(lead); at >= 0; at = e.lower.indexOf(lead, at + 1)) {
            if (m.region(at, e.text.length()).lookingAt()) {
              result = 1;
              break outer;
            }
          }
        }
      }
    } catch (BoundedCharSequence.BudgetExceeded | StackOverflowError ex) {
      result = -1;
    }
    s.regexStamp[id] = s.generation;
    s.regexResult[id] = (byte) (result == 1 ? 1 : result == -1 ? 3 : 2);
    return result;
  }

  /**
   * The text by which a matched rule recognised the failure: the span its first matching regex found, or
   * the literal that occurred; null for a rule that matched on codes or exception types alone.
   */
  String matchedText(Compiled c, Evidence e) {
    for (int id : c.regexIds) {
      try {
        Matcher m = regexes[id].matcher(new BoundedCharSequence(e.text, Math.max(budgetFloor, (long) budgetPerChar * e.text.length())));
        if (m.find()) {
          return e.text.substring(m.start(), m.end());
        }
      } catch (BoundedCharSequence.BudgetExceeded | StackOverflowError ex) {
        return null;
      }
    }
    for (String lit : c.contains) {
      if (e.lower.contains(lit)) {
        return lit;
      }
    }
    return null;
  }

  /** The family rules a type belongs to, by its simple name in lower case; remembered for the names seen most. */
  private int[] familyRulesOf(String simpleLower) {
    int[] cached = familiesOfName.get(simpleLower);
    if (cached != null) {
      return cached;
    }
    List<Integer> out = new ArrayList<>(2);
    for (int k = 0; k < exceptionFamilyRules.length; k++) {
      for (String family : exceptionFamilies[k]) {
        if (ExceptionNames.isFamily(family) ? ExceptionNames.inFamily(family, simpleLower) : family.equals(simpleLower)) {
          out.add(exceptionFamilyRules[k]);
          break;
        }
      }
    }
    int[] found = toArray(out);
    if (familiesOfName.size() < MAX_CACHED_EXCEPTION_NAMES && simpleLower.length() <= MAX_CACHED_NAME_LENGTH) {
      familiesOfName.put(simpleLower, found);
    }
    return found;
  }

  private static void addAll(Candidates c, int[] rules) {
    if (rules != null) {
      for (int r : rules) {
        c.add(r);
      }
    }
  }

  private static int[] toArray(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  private static <K> Map<K, int[]> freeze(Map<K, List<Integer>> m) {
    Map<K, int[]> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, toArray(v)));
    return out;
  }
}
