package dev.rebound.app.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent during a phase of a harness, read from {@code /proc} (Linux): this JVM (of which the JIT
 * compilers), the processes of the PostgreSQL cluster the harness uses (its postmaster and the children alive at
 * the end of the phase; other clusters on the machine are not counted), and the whole machine. Unlike a rate or a
 * latency, CPU time per operation is hardly moved by other work on a shared machine, so a change's cost can be
 * compared between runs taken at different loads. PostgreSQL backends that exit during the phase are not counted
 * (the services' pools keep theirs open).
 */
final class CpuAccount {
  private static final double TICK_MS = 1000.0 / 100; // USER_HZ is 100 on Linux

  private final long jvmNanos;
  private final long jitMillis;
  private final long postgresTicks;
  private final long machineBusyTicks;
  private final long machineTotalTicks;

  private CpuAccount(long jvmNanos, long jitMillis, long postgresTicks, long machineBusyTicks, long machineTotalTicks) {
    this.jvmNanos = jvmNanos;
    this.jitMillis = jitMillis;
    this.postgresTicks = postgresTicks;
    this.machineBusyTicks = machineBusyTicks;
    this.machineTotalTicks = machineTotalTicks;
  }

  /** The postmaster of the cluster a backend belongs to: that backend's parent process. */
  static long postmasterOf(long backendPid) {
    try {
      return Long.parseLong(statFields(Path.of("/proc", Long.toString(backendPid)))[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static CpuAccount now(long postmasterPid) {
    long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long jitMs = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    long[] machine = machineTicks();
    return new CpuAccount(jvm, jitMs, postgresTicks(postmasterPid), machine[0], machine[1]);
  }

  /** What happened since {@code before}, per operation: "CPU per failure: JVM 1.20 ms (JIT 0.10), ...". */
  String perOperationSince(CpuAccount before, long operations, String what) {
    double n = Math.max(1, operations);
    double jvmMs = (jvmNanos - before.jvmNanos) / 1e6;
    double jitMs = jitMillis - before.jitMillis;
    double pgMs = (postgresTicks - before.postgresTicks) * TICK_MS;
    long total = machineTotalTicks - before.machineTotalTicks;
    double busy = total == 0 ? 0 : 100.0 * (machineBusyTicks - before.machineBusyTicks) / total;
    double othersMs = Math.max(0, (machineBusyTicks - before.machineBusyTicks) * TICK_MS - jvmMs - pgMs);
    return String.format("CPU per %s: this JVM %.2f ms (JIT compilation ~%.2f ms of it), PostgreSQL %.2f ms,"
        + " other processes %.2f ms; machine busy %.0f %%", what, jvmMs / n, jitMs / n, pgMs / n, othersMs / n, busy);
  }

  /** utime + stime of the postmaster and its children, in clock ticks. */
  private static long postgresTicks(long postmasterPid) {
    long sum = 0;
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
        .chars().allMatch(Character::isDigit))) {
      for (Path p : procs) {
        try {
          String[] f = statFields(p);
          if (Long.parseLong(p.getFileName().toString()) != postmasterPid && Long.parseLong(f[1]) != postmasterPid) {
            continue;
          }
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime and stime, fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException gone) {
          // the process exited while it was read
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return sum;
  }

  /** The fields of /proc/PID/stat after the command name: [0] is the state (field 3 of proc(5)), [1] the ppid. */
  private static String[] statFields(Path proc) throws IOException {
    String stat = Files.readString(proc.resolve("stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  /** {busy, total} clock ticks of the whole machine from /proc/stat's first line. */
  private static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }
}
