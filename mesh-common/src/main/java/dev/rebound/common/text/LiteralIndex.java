package dev.rebound.common.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Aho–Corasick automaton over the rules' required literals, compiled to a dense DFA over a reduced
 * alphabet: one table lookup per input character, whatever the number of literals. Input is expected
 * in ASCII lower case (see {@link AsciiLower}).
 */
public final class LiteralIndex {

  private final char[] alphabet = new char[65536]; // char -> symbol, 0 = "not in any literal"
  private final int symbols;
  private final int[] delta;    // state * symbols + symbol -> next state * symbols (premultiplied: no multiply per char)
  private final int[][] output; // state -> literal ids ending here (including via failure links), or null
  private final int[][] rulesByLiteral;
  private final int[][] regexesByLiteral;

  /**
   * @param literals literal -> ids of the rules that require it (one of their literals)
   * @param regexes  literal -> ids of the regexes that cannot match without it
   */
  public LiteralIndex(Map<String, List<Integer>> literals, Map<String, List<Integer>> regexes) {
    List<String> words = new ArrayList<>(literals.keySet());
    rulesByLiteral = new int[words.size()][];
    regexesByLiteral = new int[words.size()][];
    for (int w = 0; w < words.size(); w++) {
      rulesByLiteral[w] = literals.get(words.get(w)).stream().mapToInt(Integer::intValue).distinct().toArray();
      List<Integer> re = regexes.get(words.get(w));
      regexesByLiteral[w] = re == null ? new int[0] : re.stream().mapToInt(Integer::intValue).distinct().toArray();
    }
    int nextSymbol = 1;
    for (String w : words) {
      for (int i = 0; i < w.length(); i++) {
        char c = w.charAt(i);
        if (alphabet[c] == 0) {
          alphabet[c] = (char) nextSymbol++;
        }
      }
    }
    symbols = nextSymbol;
    // trie
    List<int[]> gotoRows = new ArrayList<>();
    List<List<Integer>> outs = new ArrayList<>();
    gotoRows.add(newRow());
    outs.add(new ArrayList<>());
    for (int w = 0; w < words.size(); w++) {
      String word = words.get(w);
      int s = 0;
      for (int i = 0; i < word.length(); i++) {
        int sym = alphabet[word.charAt(i)];
        int next = gotoRows.get(s)[sym];
        if (next < 0) {
          next = gotoRows.size();
          gotoRows.get(s)[sym] = next;
          gotoRows.add(newRow());
          outs.add(new ArrayList<>());
        }
        s = next;
      }
      outs.get(s).add(w);
    }
    int states = gotoRows.size();
    int[] fail = new int[states];
    delta = new int[states * symbols];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int sym = 0; sym < symbols; sym++) {
      int next = gotoRows.get(0)[sym];
      if (next > 0) {
        fail[next] = 0;
        delta[sym] = next;
        queue.add(next);
      } else {
        delta[sym] = 0;
      }
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      outs.get(s).addAll(outs.get(fail[s]));
      for (int sym = 0; sym < symbols; sym++) {
        int next = gotoRows.get(s)[sym];
        if (next > 0) {
          fail[next] = delta[fail[s] * symbols + sym];
          delta[s * symbols + sym] = next;
          queue.add(next);
        } else {
          delta[s * symbols + sym] = delta[fail[s] * symbols + sym];
        }
      }
    }
    output = new int[states * symbols][];
    for (int s = 0; s < states; s++) {
      List<Integer> o = outs.get(s);
      output[s * symbols] = o.isEmpty() ? null : o.stream().mapToInt(Integer::intValue).distinct().toArray();
    }
    for (int i = 0; i < delta.length; i++) {
      delta[i] *= symbols;
    }
  }

  private int[] newRow() {
    int[] row = new int[symbols];
    Arrays.fill(row, -1);
    return row;
  }

  /** Marks every rule whose literal occurs in {@code lower}, and every regex that may now match. */
  public void collect(String lower, Candidates candidates, int[] regexStamp, int generation) {
    int s = 0;
    int[] d = delta;
    char[] a = alphabet;
    int[][] o = output;
    for (int i = 0, len = lower.length(); i < len; i++) {
      s = d[s + a[lower.charAt(i)]];
      int[] out = o[s];
      if (out != null) {
        for (int w : out) {
          for (int rule : rulesByLiteral[w]) {
            candidates.add(rule);
          }
          for (int re : regexesByLiteral[w]) {
            regexStamp[re] = generation;
          }
        }
      }
    }
  }

  public int states() {
    return output.length / symbols;
  }

  /** A literal map builder that keeps insertion order (deterministic automaton). */
  public static Map<String, List<Integer>> newLiteralMap() {
    return new LinkedHashMap<>();
  }

  public static void put(Map<String, List<Integer>> map, String literal, int rule) {
    map.computeIfAbsent(literal, k -> new ArrayList<>()).add(rule);
  }
}
