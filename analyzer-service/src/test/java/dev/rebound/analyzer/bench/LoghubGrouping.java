package dev.rebound.analyzer.bench;

import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.FailureInput;
import dev.rebound.analyzer.domain.Fingerprinter;
import dev.rebound.analyzer.domain.RuleCatalog;
import dev.rebound.analyzer.domain.TemplateMiner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Grouping accuracy on Loghub-2k (LogPAI's benchmark: 16 logs of 2,000 lines with ground-truth
 * event ids), computed as LogPAI's {@code evaluator.get_accuracy} does: a line counts as correct
 * when the group it was put in holds exactly the lines of its ground-truth event, no more, no less.
 *
 * <p>One configuration for all 16 logs: the analyzer's defaults. Input is the {@code Content} column
 * of each {@code <System>_2k.log_structured.csv} (the message after the log's header, which is what
 * LogPAI's parsers group too). Not part of the unit suite: the data is fetched separately
 * (github.com/logpai/logparser, {@code data/loghub_2k}).
 *
 * <pre>
 * java -cp "$(cat cp.txt):analyzer-service/target/classes:analyzer-service/target/test-classes" \
 *     dev.rebound.analyzer.bench.LoghubGrouping LOGHUB_2K_DIR [fingerprinter|classifier] [-v]
 * </pre>
 * {@code fingerprinter} (default) groups by the template fingerprint of masking and mining alone;
 * {@code classifier} by the fingerprint {@code rebound analyze} prints (the deciding rule and the codes
 * read from the message also keep groups apart).
 */
public final class LoghubGrouping {
  private LoghubGrouping() {
  }

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    String mode = args.length > 1 ? args[1] : "fingerprinter";
    boolean verbose = List.of(args).contains("-v");
    List<Path> sets;
    try (var dirs = Files.list(root)) {
      sets = dirs.filter(Files::isDirectory).sorted().toList();
    }
    double sum = 0;
    int n = 0;
    long lines = 0;
    long nanos = 0;
    for (Path dir : sets) {
      String name = dir.getFileName().toString();
      Path csv = dir.resolve(name + "_2k.log_structured.csv");
      if (!Files.isReadable(csv)) {
        continue;
      }
      List<String[]> rows = readCsv(csv);
      String[] header = rows.get(0);
      int content = indexOf(header, "Content");
      int event = indexOf(header, "EventId");
      List<String> messages = new ArrayList<>();
      List<String> truth = new ArrayList<>();
      for (String[] r : rows.subList(1, rows.size())) {
        messages.add(r[content]);
        truth.add(r[event]);
      }
      Function<String, String> grouper = grouper(mode);
      long t0 = System.nanoTime();
      List<String> parsed = new ArrayList<>(messages.size());
      for (String m : messages) {
        parsed.add(grouper.apply(m));
      }
      nanos += System.nanoTime() - t0;
      lines += messages.size();
      double ga = groupingAccuracy(truth, parsed, verbose ? messages : null);
      System.out.printf(Locale.ROOT, "%-12s %.3f  (%d groups, truth %d)%n", name, ga,
          new HashMap<>(count(parsed)).size(), count(truth).size());
      sum += ga;
      n++;
    }
    System.out.printf(Locale.ROOT, "mean grouping accuracy over %d sets: %.3f  (%s, %d lines, %.0f lines/s incl. warm-up)%n",
        n, sum / n, mode, lines, lines / (nanos / 1e9));
  }

  private static Function<String, String> grouper(String mode) {
    if (mode.equals("classifier")) {
      Classifier c = Classifier.builder(RuleCatalog.builtin()).miner(new TemplateMiner()).build();
      return m -> c.classify(FailureInput.ofMessage(m)).fingerprint();
    }
    TemplateMiner.Config d = TemplateMiner.Config.DEFAULT;
    // -Dminer.similarity / -Dminer.depth: to explore; the figures in docs/benchmarks.md use the defaults
    TemplateMiner.Config config = new TemplateMiner.Config(Integer.getInteger("miner.depth", d.depth()),
        Double.parseDouble(System.getProperty("miner.similarity", Double.toString(d.similarityThreshold()))),
        d.maxClusters(), d.maxCachedTemplates());
    Fingerprinter f = new Fingerprinter(new TemplateMiner(config));
    return m -> f.fingerprint(m).id();
  }

  /** LogPAI's grouping accuracy; with {@code messages}, prints the groups that are wrong. */
  static double groupingAccuracy(List<String> truth, List<String> parsed, List<String> messages) {
    Map<String, Integer> truthSize = count(truth);
    Map<String, List<Integer>> byParsed = new HashMap<>();
    for (int i = 0; i < parsed.size(); i++) {
      byParsed.computeIfAbsent(parsed.get(i), k -> new ArrayList<>()).add(i);
    }
    int correct = 0;
    for (List<Integer> group : byParsed.values()) {
      String t = truth.get(group.get(0));
      boolean one = group.stream().allMatch(i -> truth.get(i).equals(t));
      if (one && truthSize.get(t) == group.size()) {
        correct += group.size();
      } else if (messages != null) {
        System.out.println("  wrong group of " + group.size() + (one ? " (split of " + t + ", " + truthSize.get(t) + ")" : " (merges)"));
        group.stream().map(i -> truth.get(i)).distinct().limit(4).forEach(e -> {
          int i = truth.indexOf(e);
          for (int j : group) {
            if (truth.get(j).equals(e)) {
              i = j;
              break;
            }
          }
          System.out.println("    " + e + ": " + messages.get(i));
        });
      }
    }
    return (double) correct / truth.size();
  }

  private static Map<String, Integer> count(List<String> values) {
    Map<String, Integer> m = new HashMap<>();
    for (String v : values) {
      m.merge(v, 1, Integer::sum);
    }
    return m;
  }

  private static int indexOf(String[] header, String name) {
    for (int i = 0; i < header.length; i++) {
      if (header[i].equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column " + name);
  }

  /** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
  static List<String[]> readCsv(Path file) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    List<String[]> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
          i++;
        }
        row.add(field.toString());
        field.setLength(0);
        rows.add(row.toArray(new String[0]));
        row.clear();
      } else {
        field.append(c);
      }
    }
    if (field.length() > 0 || !row.isEmpty()) {
      row.add(field.toString());
      rows.add(row.toArray(new String[0]));
    }
    return rows;
  }

  /** The string value of a top-level field of a flat JSON line (enough for the corpus files). */
  static String jsonString(String json, String field) {
    int k = json.indexOf("\"" + field + "\"");
    if (k < 0) {
      return null;
    }
    int i = json.indexOf('"', json.indexOf(':', k) + 1);
    StringBuilder sb = new StringBuilder();
    for (i++; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        char e = json.charAt(++i);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'u' -> {
            sb.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
            i += 4;
          }
          default -> sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
    return null;
  }
}
