package dev.rebound.analyzer.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Second stage of fingerprinting: online token clustering in the spirit of Drain (He, Zhu, Zheng, Lyu:
 * "Drain: An Online Log Parsing Approach with Fixed Depth Tree", ICWS 2017) for the variable parts the
 * {@link TemplateMasker} cannot recognise, such as user names or random pod suffixes.
 *
 * <p>Templates are grouped by discriminator and token count, then by their first {@code depth - 2}
 * tokens (tokens holding digits or placeholders go under {@code <*>}, as in Drain, and so does any
 * token that is not a bare word: only what must be equal for two templates to merge routes them). Within a leaf, a
 * template joins the most similar cluster if at least {@code similarityThreshold} of its tokens are
 * equal (a {@code <*>} in the cluster matches anything); the differing tokens become {@code <*>}.
 * Unlike Drain, a bare word is never generalized (see {@link #isWord}), so only tokens that look like
 * data (mixed letters, digits and symbols the masker did not recognise) become wildcards.
 * Otherwise it starts a new cluster.
 *
 * <p><b>Stable ids.</b> A cluster's id is the SHA-256 of its discriminator and its <em>first</em>
 * template, and never changes when the cluster generalizes. A template that masking alone already
 * makes identical always gets the same id, whatever the arrival order; only variants that Drain has
 * to merge depend on which one came first. That is the trade-off for learning at all: persist the
 * state ({@link #export()} / {@link #restore(List)}) and ids survive restarts.
 *
 * <p><b>Bounded.</b> At most {@code maxClusters} clusters: beyond, the least recently used eighth
 * is evicted (its exact templates with it), so input with millions of distinct templates keeps a
 * fixed footprint. An evicted cluster that comes back gets its old id again (the id is a hash of its
 * first template), with its count restarted; the service keeps the occurrence counts in its store.
 * The exact-template cache is bounded by {@code maxCachedTemplates} the same way (emptied when full).
 *
 * <p>Thread-safe: lookups of known templates are lock-free; learning is serialized.
 */
public final class TemplateMiner {

  /**
   * @param depth               tree depth as in Drain; {@code depth - 2} leading tokens route a template
   * @param similarityThreshold fraction of equal tokens needed to join a cluster
   * @param maxClusters         bound on the clusters kept; the least recently used are evicted beyond
   * @param maxCachedTemplates  bound on the exact-template cache
   */
  public record Config(int depth, double similarityThreshold, int maxClusters, int maxCachedTemplates) {
    // Drain's default is 4 (two routing tokens); 3 routes by the first token only, because failure
    // messages often carry a variable in second position ("User alice not found").
    public static final int DEFAULT_DEPTH = 3;
    public static final double DEFAULT_SIMILARITY_THRESHOLD = 0.6;
    public static final int DEFAULT_MAX_CLUSTERS = 50_000;
    public static final int DEFAULT_MAX_CACHED_TEMPLATES = 200_000;
    public static final Config DEFAULT = new Config(DEFAULT_DEPTH, DEFAULT_SIMILARITY_THRESHOLD,
        DEFAULT_MAX_CLUSTERS, DEFAULT_MAX_CACHED_TEMPLATES);

    public Config {
      if (depth < 3) {
        throw new IllegalArgumentException("depth must be at least 3, was " + depth);
      }
      if (!(similarityThreshold > 0 && similarityThreshold <= 1)) {
        throw new IllegalArgumentException("similarityThreshold must be within (0, 1], was " + similarityThreshold);
      }
      if (maxClusters < 1 || maxCachedTemplates < 0) {
        throw new IllegalArgumentException("maxClusters must be positive and maxCachedTemplates not negative");
      }
    }
  }

  /** The cluster a template belongs to. */
  public record Match(String clusterId, String template) {
  }

  private static final String WILDCARD = "<*>";

  private static final class Cluster {
    final String id;
    final String discriminator;
    final String leafKey;
    volatile String[] tokens;
    // isWord of each token, kept with the tokens so similarity never re-reads their characters
    volatile boolean[] words;
    volatile String template;
    long size;
    // recency for eviction; written without synchronization by lookups, an approximate order is enough
    long lastUsed;
    boolean evicted;
    // creation order: the tie-break between equally similar clusters (the first one learned wins)
    final long seq;

    Cluster(String id, String discriminator, String leafKey, String[] tokens, long size, long seq) {
      this.id = id;
      this.seq = seq;
      this.discriminator = discriminator;
      this.leafKey = leafKey;
      for (int i = 0; i < tokens.length; i++) {
        if (tokens[i].equals(WILDCARD)) {
          tokens[i] = WILDCARD; // one instance: similarity compares wildcards by reference
        }
      }
      this.tokens = tokens;
      this.words = wordFlags(tokens);
      this.template = String.join(" ", tokens);
      this.size = size;
    }
  }

  /**
   * The clusters of one leaf, also indexed by their words: a template's anchor word (see
   * {@link #mostSimilar}) narrows the candidates to the clusters holding that word, or a wildcard, at
   * that position, instead of every cluster of the leaf.
   */
  private static final class Leaf {
    final List<Cluster> all = new ArrayList<>();
    final Map<String, List<Cluster>> byWord = new HashMap<>();
    final Map<Integer, List<Cluster>> wildcards = new HashMap<>();

    void add(Cluster c) {
      all.add(c);
      index(c);
    }

    void remove(Cluster c) {
      all.remove(c);
      unindex(c);
    }

    void index(Cluster c) {
      String[] t = c.tokens;
      boolean[] w = c.words;
      for (int i = 0; i < t.length; i++) {
        if (t[i] == WILDCARD) {
          wildcards.computeIfAbsent(i, k -> new ArrayList<>()).add(c);
        } else if (w[i]) {
          byWord.computeIfAbsent(key(i, t[i]), k -> new ArrayList<>()).add(c);
        }
      }
    }

    void unindex(Cluster c) {
      String[] t = c.tokens;
      boolean[] w = c.words;
      for (int i = 0; i < t.length; i++) {
        if (t[i] == WILDCARD) {
          drop(wildcards, i, c);
        } else if (w[i]) {
          drop(byWord, key(i, t[i]), c);
        }
      }
    }

    /**
     * Moves a cluster's index entries where a merge turned its tokens into wildcards ({@code merged}
     * differs from its tokens only there); the entries of the other positions stay. The order of a
     * list does not matter: {@link #mostSimilar} ranks candidates by similarity, wildcards and age.
     */
    void indexNewWildcards(Cluster c, String[] merged) {
      String[] t = c.tokens;
      boolean[] w = c.words;
      for (int i = 0; i < t.length; i++) {
        if (merged[i] != t[i]) {
          if (w[i]) {
            drop(byWord, key(i, t[i]), c);
          }
          wildcards.computeIfAbsent(i, k -> new ArrayList<>()).add(c);
        }
      }
    }

    private static <K> void drop(Map<K, List<Cluster>> index, K key, Cluster c) {
      List<Cluster> list = index.get(key);
      if (list != null && list.remove(c) && list.isEmpty()) {
        index.remove(key);
      }
    }

    int candidates(int position, String word) {
      List<Cluster> a = byWord.get(key(position, word));
      List<Cluster> b = wildcards.get(position);
      return (a == null ? 0 : a.size()) + (b == null ? 0 : b.size());
    }

    static String key(int position, String word) {
      return position + " " + word;
    }
  }

  private static boolean[] wordFlags(String[] tokens) {
    boolean[] w = new boolean[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      w[i] = isWord(tokens[i]);
    }
    return w;
  }

  private final Config config;
  // discriminator -> template -> cluster: two levels so the hot path never concatenates a key
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Cluster>> exact = new ConcurrentHashMap<>();
  private final AtomicInteger cached = new AtomicInteger();
  private final Map<String, Leaf> leaves = new HashMap<>();
  private final List<Cluster> clusters = new ArrayList<>();
  private long clock;
  private long nextSeq;

  public TemplateMiner() {
    this(Config.DEFAULT);
  }

  public TemplateMiner(Config config) {
    this.config = config;
  }

  public Config config() {
    return config;
  }

  /**
   * Finds or learns the cluster of a masked template.
   *
   * @param discriminator messages with different discriminators never share a cluster ("" for none)
   * @param template      output of {@link TemplateMasker#mask(String)}
   */
  public Match match(String discriminator, String template) {
    ConcurrentHashMap<String, Cluster> byTemplate = exact.get(discriminator);
    Cluster known = byTemplate == null ? null : byTemplate.get(template);
    if (known != null && !known.evicted) {
      known.lastUsed = ++clock; // racy on purpose: eviction needs a rough recency, not an exact one
      return new Match(known.id, known.template);
    }
    return learn(discriminator, template);
  }

  private synchronized Match learn(String discriminator, String template) {
    String[] tokens = template.isEmpty() ? new String[0] : template.split(" ");
    String leafKey = leafKey(discriminator, tokens);
    Leaf leaf = leaves.get(leafKey);
    Cluster best = leaf == null ? null : mostSimilar(leaf, tokens);
    if (best != null) {
      String[] merged = merge(best.tokens, tokens);
      if (merged != best.tokens) {
        leaf.indexNewWildcards(best, merged);
        best.words = wordFlags(merged);
        best.tokens = merged;
        best.template = String.join(" ", merged);
      }
      best.size++;
    } else {
      if (clusters.size() >= config.maxClusters()) {
        evictLeastRecentlyUsed();
      }
      best = new Cluster(clusterId(discriminator, template), discriminator, leafKey, tokens, 1, nextSeq++);
      add(best);
    }
    best.lastUsed = ++clock;
    if (cached.get() >= config.maxCachedTemplates()) {
      exact.clear(); // a cache: emptied when full, refilled by the templates still in use
      cached.set(0);
    }
    if (config.maxCachedTemplates() > 0
        && exact.computeIfAbsent(discriminator, d -> new ConcurrentHashMap<>()).put(template, best) == null) {
      cached.incrementAndGet();
    }
    return new Match(best.id, best.template);
  }

  private void add(Cluster cluster) {
    leaves.computeIfAbsent(cluster.leafKey, k -> new Leaf()).add(cluster);
    clusters.add(cluster);
  }

  /** Drops the least recently used eighth of the clusters (at least one) and their cached templates. */
  private void evictLeastRecentlyUsed() {
    int n = Math.max(1, clusters.size() / 8);
    long[] stamps = new long[clusters.size()];
    for (int i = 0; i < stamps.length; i++) {
      stamps[i] = clusters.get(i).lastUsed;
    }
    java.util.Arrays.sort(stamps);
    long cutoff = stamps[n - 1];
    int evicted = 0;
    for (Cluster c : clusters) {
      if (c.lastUsed <= cutoff && evicted < n) {
        c.evicted = true;
        evicted++;
        Leaf leaf = leaves.get(c.leafKey);
        leaf.remove(c);
        if (leaf.all.isEmpty()) {
          leaves.remove(c.leafKey);
        }
      }
    }
    clusters.removeIf(c -> c.evicted);
    int[] removed = new int[1];
    for (ConcurrentHashMap<String, Cluster> byTemplate : exact.values()) {
      byTemplate.values().removeIf(c -> c.evicted && ++removed[0] > 0);
    }
    cached.addAndGet(-removed[0]);
  }

  private Cluster mostSimilar(Leaf leaf, String[] tokens) {
    Cluster best = null;
    double bestSim = -1;
    int bestWildcards = Integer.MAX_VALUE;
    boolean[] tokenWords = wordFlags(tokens);
    boolean[] tokenNames = new boolean[tokens.length];
    for (int k = 0; k < tokens.length; k++) {
      tokenNames[k] = namesNext(tokens[k]);
    }
    // Anchors: the template's words that no naming noun precedes. A cluster holding anything else
    // than that word (or a wildcard) there is blocked, so most clusters of a large leaf are rejected
    // after a comparison or two instead of a walk through all their tokens.
    int[] anchors = new int[tokens.length];
    int anchorCount = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (tokenWords[i] && !(i > 0 && tokenNames[i - 1])) {
        anchors[anchorCount++] = i;
      }
    }
    // a cluster with more mismatches than this cannot reach the threshold: stop comparing early
    int maxMismatches = tokens.length - (int) Math.ceil(config.similarityThreshold() * tokens.length - 1e-9);
    List<Cluster> candidates = leaf.all;
    List<Cluster> more = List.of();
    if (anchorCount > 0) {
      // the clusters holding the word of the most selective of the first anchors, or a wildcard there
      int p = anchors[0];
      int fewest = leaf.candidates(p, tokens[p]);
      for (int k = 1; k < Math.min(anchorCount, 4) && fewest > 0; k++) {
        int n = leaf.candidates(anchors[k], tokens[anchors[k]]);
        if (n < fewest) {
          fewest = n;
          p = anchors[k];
        }
      }
      if (fewest == 0) {
        return null;
      }
      List<Cluster> withWord = leaf.byWord.get(Leaf.key(p, tokens[p]));
      List<Cluster> withWildcard = leaf.wildcards.get(p);
      candidates = withWord == null ? List.of() : withWord;
      more = withWildcard == null ? List.of() : withWildcard;
    }
    // the clusters holding the anchor word, then those holding a wildcard there
    for (int part = 0; part < 2; part++) {
      clusters:
      for (Cluster c : part == 0 ? candidates : more) {
        String[] t = c.tokens;
        for (int k = 0; k < anchorCount; k++) {
          String ta = t[anchors[k]];
          if (ta != WILDCARD && !ta.equals(tokens[anchors[k]])) {
            continue clusters;
          }
        }
        boolean[] words = c.words;
        int equal = 0;
        int wildcards = 0;
        int mismatches = 0;
        boolean blocked = false;
        for (int i = 0; i < t.length && !blocked; i++) {
          String ti = t[i];
          if (ti == WILDCARD) {
            wildcards++;
            equal++;
          } else if (ti.equals(tokens[i])) {
            equal++;
          } else {
            blocked = (words[i] || tokenWords[i]) && !(i > 0 && tokenNames[i - 1] && t[i - 1].equals(tokens[i - 1]))
                || ++mismatches > maxMismatches;
          }
        }
        if (blocked) {
          continue;
        }
        double sim = tokens.length == 0 ? 1 : (double) equal / tokens.length;
        // Drain's tie-break: prefer the cluster with fewer wildcards; then the one learned first
        if (sim > bestSim || sim == bestSim && (wildcards < bestWildcards || wildcards == bestWildcards && c.seq < best.seq)) {
          best = c;
          bestSim = sim;
          bestWildcards = wildcards;
        }
      }
    }
    if (best == null || bestSim < config.similarityThreshold()) {
      return null;
    }
    // A template that would need wildcards everywhere is not a variant, it is a different message.
    int literalMatches = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (best.tokens[i].equals(tokens[i]) && !isVariable(tokens[i])) {
        literalMatches++;
      }
    }
    return literalMatches > 0 || tokens.length == 0 ? best : null;
  }

  private static String[] merge(String[] cluster, String[] tokens) {
    String[] out = null;
    for (int i = 0; i < cluster.length; i++) {
      if (cluster[i] != WILDCARD && !cluster[i].equals(tokens[i])) {
        if (out == null) {
          out = cluster.clone();
        }
        out[i] = WILDCARD; // the constant itself: similarity compares by reference first
      }
    }
    return out == null ? cluster : out;
  }

  private String leafKey(String discriminator, String[] tokens) {
    StringBuilder sb = new StringBuilder(discriminator).append('\u0000').append(tokens.length);
    int prefix = Math.min(tokens.length, config.depth() - 2);
    for (int i = 0; i < prefix; i++) {
      // only what must be equal to merge routes: a token that may become a wildcard goes under <*>
      sb.append('\u0000').append(isVariable(tokens[i]) || !isWord(tokens[i]) ? WILDCARD : tokens[i]);
    }
    return sb.toString();
  }

  /**
   * A bare word (letters only, ignoring surrounding punctuation) is never turned into a wildcard. In
   * error messages variables are almost always quoted, numeric or structured (and masked before this
   * stage); bare words that differ are usually different errors: "Read timed out" vs "Connect timed
   * out", "statement timeout" vs "lock timeout".
   */
  static boolean isWord(String token) {
    if (token.indexOf('<') >= 0 && token.indexOf('>') > 0) {
      return false; // a placeholder: a variable of whatever type, not prose
    }
    int a = 0;
    int b = token.length();
    while (a < b && !Character.isLetterOrDigit(token.charAt(a))) {
      a++;
    }
    while (b > a && !Character.isLetterOrDigit(token.charAt(b - 1))) {
      b--;
    }
    if (a == b || DATE_WORDS.contains(token.substring(a, b).toLowerCase(Locale.ROOT))) {
      return false; // a date spelled out ("Wed Jul  6"), data like the digits around it
    }
    for (int i = a; i < b; i++) {
      char c = token.charAt(i);
      if (!Character.isLetter(c)) {
        return false;
      }
      if (i > a && Character.isUpperCase(c) && Character.isLowerCase(token.charAt(i - 1))) {
        return false; // GetObject, OrderList: a name from code (operation, function, class), not prose
      }
    }
    return true;
  }

  private static final Set<String> DATE_WORDS = Set.of("mon", "tue", "wed", "thu", "fri", "sat", "sun",
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "jan", "feb", "mar", "apr", "may",
      "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january", "february", "march", "april", "june", "july",
      "august", "september", "october", "november", "december");

  /**
   * Nouns after which error messages put a name ("container api", "table payments", "project
   * billing"): the word that follows is data even when it is a bare word. Only a word right after one
   * of these may be generalized; the rest of the message must still match as usual.
   */
  private static final Set<String> NAMING_NOUNS = Set.of("container", "pod", "node", "table",
      "relation", "column", "project", "database", "user", "host", "bucket", "topic", "queue", "service", "module",
      "package", "repository", "image", "volume", "namespace", "index", "branch", "tenant", "account", "lookup", "for");

  static boolean namesNext(String token) {
    return NAMING_NOUNS.contains(token.toLowerCase(Locale.ROOT));
  }

  /** Drain routes tokens with digits under a wildcard; placeholders are variables by construction. */
  private static boolean isVariable(String token) {
    if (token.indexOf('<') >= 0 && token.indexOf('>') > 0) {
      return true;
    }
    for (int i = 0; i < token.length(); i++) {
      if (Character.isDigit(token.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  static String clusterId(String discriminator, String template) {
    return Sha256.hex16(discriminator + '\u0000' + template);
  }

  /** Number of clusters learned so far. */
  public synchronized int size() {
    return clusters.size();
  }

  /** The learned state as plain data, in learning order. */
  public synchronized List<LearnedTemplate> export() {
    List<LearnedTemplate> out = new ArrayList<>(clusters.size());
    for (Cluster c : clusters) {
      out.add(new LearnedTemplate(c.id, c.discriminator, c.template, c.size));
    }
    return out;
  }

  /**
   * Adds previously exported clusters (typically right after construction, before the first match).
   * Clusters whose id is already known are skipped, so restoring twice is harmless.
   */
  public synchronized void restore(List<LearnedTemplate> learned) {
    Map<String, Cluster> byId = new HashMap<>();
    for (Cluster c : clusters) {
      byId.put(c.id, c);
    }
    for (LearnedTemplate t : learned) {
      if (byId.containsKey(t.clusterId()) || clusters.size() >= config.maxClusters()) {
        continue;
      }
      String[] tokens = t.template().isEmpty() ? new String[0] : t.template().split(" ");
      Cluster c = new Cluster(t.clusterId(), t.discriminator(), leafKey(t.discriminator(), tokens), tokens, t.size(),
          nextSeq++);
      c.lastUsed = ++clock;
      add(c);
      byId.put(c.id, c);
    }
  }

  /** SHA-256 truncated to 64 bits, as lower-case hex. */
  static final class Sha256 {
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required by the Java platform", e);
      }
    });

    private Sha256() {
    }

    static String hex16(String text) {
      byte[] d = DIGEST.get().digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    }
  }
}
