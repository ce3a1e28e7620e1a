package dev.rebound.analyzer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a verdict's message says about its fingerprint besides its history — the impact of the last hour
 * and the similar fingerprints — read from the store at most once per {@link #FRESH} per fingerprint,
 * not once per failure: under a storm of one fingerprint the impact query counts an hour of occurrences,
 * so reading it per batch grew with the storm. In between, the impact is counted forward with what this
 * instance records (other instances' failures show at the next read). At most {@value #MAX} fingerprints
 * are held, the least recently used forgotten first. Confined to the analyzer's context.
 */
final class AnalysisCache {
  static final Duration FRESH = Duration.ofSeconds(5);
  static final int MAX = 10_000;

  private record Impact(Instant readAt, long failures, long tasks, long workflows) {
  }

  private record Similar(Instant readAt, JsonArray fingerprints) {
  }

  private final Clock clock;
  private final Map<String, Impact> impacts = lru();
  private final Map<String, Similar> similar = lru();

  AnalysisCache(Clock clock) {
    this.clock = clock;
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX;
      }
    };
  }

  /** The fingerprints among {@code fingerprints} whose impact must be read again. */
  List<String> staleImpacts(Collection<String> fingerprints) {
    Instant now = clock.instant();
    return fingerprints.stream().filter(fp -> {
      Impact i = impacts.get(fp);
      return i == null || !now.isBefore(i.readAt().plus(FRESH));
    }).toList();
  }

  /** Stores a fresh read ({@code failures}, {@code tasks}, {@code workflows}; absent: none in the window). */
  void impactRead(String fingerprint, JsonObject impact) {
    impacts.put(fingerprint, new Impact(clock.instant(), impact == null ? 0 : impact.getLong("failures", 0L),
        impact == null ? 0 : impact.getLong("tasks", 0L), impact == null ? 0 : impact.getLong("workflows", 0L)));
  }

  /** The impact as last read and counted forward; zeros when never read. */
  JsonObject impact(String fingerprint) {
    Impact i = impacts.get(fingerprint);
    return new JsonObject().put("failures", i == null ? 0L : i.failures()).put("tasks", i == null ? 0L : i.tasks())
        .put("workflows", i == null ? 0L : i.workflows());
  }

  /** Counts what this instance recorded of the fingerprint since the last read. */
  void recorded(String fingerprint, long failures, long tasks) {
    Impact i = impacts.get(fingerprint);
    if (i != null) {
      impacts.put(fingerprint, new Impact(i.readAt(), i.failures() + failures, i.tasks() + tasks, i.workflows()));
    }
  }

  /** The similar fingerprints read less than {@link #FRESH} ago, or null. */
  JsonArray similar(String fingerprint) {
    Similar s = similar.get(fingerprint);
    return s == null || !clock.instant().isBefore(s.readAt().plus(FRESH)) ? null : s.fingerprints();
  }

  void similarRead(String fingerprint, JsonArray fingerprints) {
    similar.put(fingerprint, new Similar(clock.instant(), fingerprints));
  }
}
