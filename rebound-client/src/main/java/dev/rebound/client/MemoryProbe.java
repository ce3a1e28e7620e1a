package dev.rebound.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Measures the worker's memory for the {@link ResourceGuard}. Injectable, so tests decide what the
 * guard sees. The readings are cheap (MXBeans, two small files under /proc and /sys), so they are
 * taken on the event loop.
 */
@FunctionalInterface
public interface MemoryProbe {
  MemoryReading read();

  /**
   * Heap in use out of the maximum heap. Where the JVM knows what a pool held after its last
   * collection, that is counted instead of its current use: garbage not yet collected is not a leak.
   */
  static MemoryProbe heap() {
    return () -> {
      long used = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
          MemoryUsage afterGc = pool.getCollectionUsage();
          used += afterGc != null ? afterGc.getUsed() : pool.getUsage().getUsed();
        }
      }
      long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
      return new MemoryReading("heap", used, max > 0 ? max : Runtime.getRuntime().maxMemory());
    };
  }

  /** The process's resident set ({@code VmRSS} of /proc/self/status) out of {@code limitBytes}. */
  static MemoryProbe rss(long limitBytes) {
    return () -> new MemoryReading("rss", residentBytes().orElse(0L), limitBytes);
  }

  /**
   * The higher of {@link #heap()} and — where /proc/self/status and the cgroup's memory.max are
   * readable (Linux containers) — RSS out of the container's limit.
   */
  static MemoryProbe heapAndRss() {
    MemoryProbe heap = heap();
    Optional<Long> containerLimit = cgroupLimit();
    if (containerLimit.isEmpty() || residentBytes().isEmpty()) {
      return heap;
    }
    MemoryProbe rss = rss(containerLimit.get());
    return () -> {
      MemoryReading h = heap.read();
      MemoryReading r = rss.read();
      return r.fraction() > h.fraction() ? r : h;
    };
  }

  private static Optional<Long> residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Optional.of(Long.parseLong(kb) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: no RSS reading
    }
    return Optional.empty();
  }

  private static Optional<Long> cgroupLimit() {
    try {
      String text = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim();
      return text.equals("max") ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
