package dev.rebound.notifier.domain;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus's label-set fingerprint ({@code model.LabelSet.Fingerprint}), which Alertmanager uses as an
 * alert's identity: FNV-1a 64 over the label names in sorted order, each name and value followed by the
 * separator byte {@code 0xff}, written as 16 hex digits. The same labels give the same key in Rebound and
 * in Alertmanager, so a Prometheus that switches its target keeps its alerts' identities.
 */
public final class LabelFingerprint {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;
  private static final int SEPARATOR = 0xff;

  private LabelFingerprint() {
  }

  public static String of(Map<String, String> labels) {
    long hash = OFFSET;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      hash = add(hash, e.getKey());
      hash = add(hash, e.getValue());
    }
    String hex = Long.toHexString(hash); // as %016x, without the formatter's cost on every alert
    return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
  }

  private static long add(long hash, String text) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= (b & 0xff);
      hash *= PRIME;
    }
    hash ^= SEPARATOR;
    hash *= PRIME;
    return hash;
  }
}
