package dev.rebound.app.bench;

import dev.rebound.app.ReboundCli;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code rebound analyze} throughput without JVM start-up: runs the command in-process on one file
 * {@code rounds} times (the first ones warm the JIT up; each run starts with a fresh template miner,
 * as the command does), writing the JSON lines to {@code OUT}, and prints lines per second of wall
 * time and of the main thread's CPU time for every run. Not part of the unit suite.
 *
 * <pre>
 * taskset -c 0 java -cp "$(cat cp.txt)" dev.rebound.app.bench.AnalyzeThroughput mixed.log /dev/null 3
 * </pre>
 */
public final class AnalyzeThroughput {
  private AnalyzeThroughput() {
  }

  public static void main(String[] args) throws Exception {
    String input = args[0];
    String output = args.length > 1 ? args[1] : "/dev/null";
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    long lines;
    try (var l = java.nio.file.Files.lines(java.nio.file.Path.of(input), StandardCharsets.UTF_8)) {
      lines = l.count();
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int r = 1; r <= rounds; r++) {
      try (PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(output), StandardCharsets.UTF_8))) {
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        int code = ReboundCli.commandLine().setOut(out).execute("analyze", "--input", input);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        System.out.printf(Locale.ROOT, "run %d: exit %d, %d lines, %.2f s wall (%.0f lines/s), %.2f s CPU of the main thread (%.0f lines/s)%n",
            r, code, lines, wall, lines / wall, cpu, lines / cpu);
      }
    }
  }
}
