package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The decider's idempotency memory, against the insertion-ordered map it replaces. */
class DecisionMemoryTest {

  /** What RetryDecider used: a LinkedHashMap keyed by "task#attempt" dropping its eldest entry. */
  private static Map<String, Integer> reference(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
        return size() > capacity;
      }
    };
  }

  @Test
  void randomStreamsRememberExactlyWhatTheInsertionOrderedMapRemembers() {
    SplittableRandom r = new SplittableRandom(5);
    // "Aa" and "BB" share a hash code: colliding ids must still be told apart
    String[] ids = {"Aa", "BB", "task-1", "task-2", "task-10", "task-11", "x", "AaAa", "BBBB", "AaBB"};
    for (int capacity : new int[] {1, 2, 3, 7, 31, 32, 33, 100, 1000}) {
      DecisionMemory<Integer> memory = new DecisionMemory<>(capacity);
      Map<String, Integer> ref = reference(capacity);
      for (int step = 0; step < 20_000; step++) {
        String id = r.nextInt(3) == 0 ? ids[r.nextInt(ids.length)] : "t" + r.nextInt(4 * capacity + 5);
        int attempt = 1 + r.nextInt(r.nextBoolean() ? 3 : 400);
        String key = id + "#" + attempt;
        if (r.nextInt(3) == 0) {
          assertThat(memory.get(id, attempt)).as("get %s", key).isEqualTo(ref.get(key));
        } else {
          // the decider only adds what it did not find; a repeat (a nested decision) replaces the value
          int value = r.nextInt();
          memory.put(new String(id), attempt, value);
          ref.put(key, value);
        }
        assertThat(memory.size()).isEqualTo(ref.size());
      }
      for (String id : ids) {
        for (int attempt = 1; attempt <= 3; attempt++) {
          assertThat(memory.get(id, attempt)).isEqualTo(ref.get(id + "#" + attempt));
        }
      }
      for (Map.Entry<String, Integer> e : ref.entrySet()) {
        int hash = e.getKey().lastIndexOf('#');
        assertThat(memory.get(e.getKey().substring(0, hash), Integer.parseInt(e.getKey().substring(hash + 1))))
            .isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void aFullMemoryForgetsTheOldestFirst() {
    DecisionMemory<String> memory = new DecisionMemory<>(100_000);
    for (int i = 0; i < 250_000; i++) {
      memory.put("task-" + i % 1000, 1 + i / 1000, "d" + i);
    }
    assertThat(memory.size()).isEqualTo(100_000);
    assertThat(memory.get("task-0", 1)).isNull();
    assertThat(memory.get("task-999", 150)).isNull();
    assertThat(memory.get("task-0", 151)).isEqualTo("d150000");
    assertThat(memory.get("task-999", 250)).isEqualTo("d249999");
  }

  @Test
  void attemptZeroAndNullValuesAreRefused() {
    DecisionMemory<String> memory = new DecisionMemory<>(10);
    assertThatThrownBy(() -> memory.put("t", 0, "d")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> memory.put("t", 1, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new DecisionMemory<String>(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
