package dev.rebound.client;

/** One measure of memory: {@code measure} names it ({@code heap}, {@code rss}), used out of a limit. */
public record MemoryReading(String measure, long usedBytes, long limitBytes) {

  /** Used over limit; 0 when the limit is unknown. */
  public double fraction() {
    return limitBytes <= 0 ? 0 : (double) usedBytes / limitBytes;
  }
}
