package dev.rebound.analyzer.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writes the input of the {@code rebound analyze} throughput figure: real log lines, mixed. The raw
 * lines of the 16 Loghub-2k logs (headers included, as a log file holds them) and the messages of the
 * labeled failure corpus, shuffled, repeated until {@code lines} lines, each repetition with fresh
 * digits (timestamps, ids, ports, sizes differ line to line as in a real log; the structure does not).
 *
 * <pre>
 * java -cp analyzer-service/target/test-classes dev.rebound.analyzer.bench.MixedLogInput \
 *     LOGHUB_2K_DIR analyzer-service/src/test/resources/corpus/labeled-failures.jsonl 500000 mixed.log
 * </pre>
 */
public final class MixedLogInput {
  private MixedLogInput() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: MixedLogInput LOGHUB_2K_DIR CORPUS_JSONL LINES OUT");
      System.exit(2);
    }
    List<String> base = new ArrayList<>();
    try (var dirs = Files.list(Path.of(args[0]))) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        Path log = dir.resolve(dir.getFileName() + "_2k.log");
        if (Files.isReadable(log)) {
          base.addAll(Files.readAllLines(log, StandardCharsets.ISO_8859_1));
        }
      }
    }
    for (String json : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
      String m = LoghubGrouping.jsonString(json, "message");
      if (m != null) {
        base.add(m.replace('\n', ' ').replace('\r', ' '));
      }
    }
    int lines = Integer.parseInt(args[2]);
    Random random = new Random(42);
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8)) {
      int written = 0;
      for (int round = 0; written < lines; round++) {
        Collections.shuffle(base, random);
        for (int i = 0; i < base.size() && written < lines; i++, written++) {
          out.write(round == 0 ? base.get(i) : freshDigits(base.get(i), random));
          out.write('\n');
        }
      }
    }
  }

  private static String freshDigits(String line, Random random) {
    char[] c = line.toCharArray();
    for (int i = 0; i < c.length; i++) {
      if (c[i] >= '0' && c[i] <= '9') {
        c[i] = (char) ('0' + random.nextInt(10));
      }
    }
    return new String(c);
  }
}
