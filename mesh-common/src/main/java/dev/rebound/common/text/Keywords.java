package dev.rebound.common.text;

import java.util.List;
import java.util.Map;

/**
 * A fixed set of lower-case words found in one Aho–Corasick pass, instead of one {@code indexOf}
 * scan per word. Used for the cheap guards in front of the redaction and code-reading regexes.
 */
public final class Keywords {
  private static final int[] NO_REGEX = new int[0];

  private final LiteralIndex index;
  private final int size;
  private final ThreadLocal<Candidates> scratch;

  public Keywords(String... words) {
    Map<String, List<Integer>> literals = LiteralIndex.newLiteralMap();
    for (int i = 0; i < words.length; i++) {
      LiteralIndex.put(literals, words[i], i);
    }
    this.index = new LiteralIndex(literals, Map.of());
    this.size = words.length;
    this.scratch = ThreadLocal.withInitial(this::newCandidates);
  }

  /** The words present in {@code lower}; valid until the next scan on this thread. */
  public Candidates scan(String lower) {
    return scan(lower, scratch.get());
  }

  /** As {@link #scan(String)}, into the caller's own (per-thread) set: saves a ThreadLocal lookup. */
  public Candidates scan(String lower, Candidates into) {
    into.clear();
    index.collect(lower, into, NO_REGEX, 0);
    return into;
  }

  public Candidates newCandidates() {
    return new Candidates(size);
  }
}
