package dev.rebound.app.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The heap a full collection leaves, and the resident set, of this JVM ({@link ManagementFactory#getPlatformMBeanServer})
 * or of another one reached over JMX ({@link #attach}); the soak and the overload harnesses sample memory with it.
 */
final class HeapSamples {
  /** One sample: seconds into the run, heap after a full GC and RSS in MB (-1 when it could not be read). */
  record Sample(double atSeconds, long heapAfterGcMb, long rssMb) {
  }

  private HeapSamples() {
  }

  /** A JMX connection to the JVM of process {@code pid} (same user), through its local management agent. */
  static JMXConnector attach(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try {
      return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
    } finally {
      vm.detach();
    }
  }

  /**
   * Forces a full collection in the JVM behind {@code mbs} and returns the heap it left, in MB: the full collector's own
   * after-GC usage of the heap pools (read after the fact, the heap already holds what the event loops allocated since,
   * tens of MB under load); the heap in use now when no full collector reports one.
   */
  static long heapAfterFullGcMb(MBeanServerConnection mbs) throws IOException {
    MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.MEMORY_MXBEAN_NAME,
        MemoryMXBean.class);
    memory.gc();
    Set<String> heapPools = new HashSet<>();
    for (MemoryPoolMXBean p : ManagementFactory.getPlatformMXBeans(mbs, MemoryPoolMXBean.class)) {
      if (p.getType() == MemoryType.HEAP) {
        heapPools.add(p.getName());
      }
    }
    long heap = -1;
    for (GarbageCollectorMXBean gc : ManagementFactory.getPlatformMXBeans(mbs, GarbageCollectorMXBean.class)) {
      String name = gc.getName();
      if ((name.contains("Old") || name.contains("MarkSweep")) && gc instanceof com.sun.management.GarbageCollectorMXBean g
          && g.getLastGcInfo() != null) {
        heap = g.getLastGcInfo().getMemoryUsageAfterGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
            .mapToLong(e -> e.getValue().getUsed()).sum() >> 20;
      }
    }
    return heap >= 0 ? heap : memory.getHeapMemoryUsage().getUsed() >> 20;
  }

  /** Collections so far and the milliseconds spent in them, over every collector of the JVM behind {@code mbs}. */
  static long[] gcCountAndMillis(MBeanServerConnection mbs) throws IOException {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getPlatformMXBeans(mbs, GarbageCollectorMXBean.class)) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /** The resident set of a process ({@code "self"} or a pid) in MB, from {@code /proc}; -1 when unreadable. */
  static long rssMb(String pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }

  /** Least-squares slope of heap after GC over time, MB per minute. */
  static double slope(List<Sample> s) {
    if (s.size() < 2) {
      return 0;
    }
    double mx = s.stream().mapToDouble(Sample::atSeconds).average().orElse(0);
    double my = s.stream().mapToDouble(Sample::heapAfterGcMb).average().orElse(0);
    double num = 0;
    double den = 0;
    for (Sample x : s) {
      num += (x.atSeconds() - mx) * (x.heapAfterGcMb() - my);
      den += (x.atSeconds() - mx) * (x.atSeconds() - mx);
    }
    return den == 0 ? 0 : num / den * 60;
  }

  /** The {@code p} quantile of sorted nanoseconds, in milliseconds (0 when empty). */
  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))] / 1e6;
  }
}
