package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shared-storage list behind the snapshots' windows, against a plain copied list as the reference. */
class WindowListTest {

  /** A list and the copy-everything reference it must equal. */
  private record Pair(WindowList<Integer> list, List<Integer> reference) {
  }

  @Test
  void randomBranchingHistoriesReadExactlyLikeCopiedLists() {
    SplittableRandom r = new SplittableRandom(3);
    for (int round = 0; round < 200; round++) {
      // several lists alive at once, each step derived from any of them: old snapshots stay in use
      List<Pair> alive = new ArrayList<>(List.of(new Pair(WindowList.empty(), List.of())));
      for (int step = 0; step < 400; step++) {
        Pair p = alive.get(r.nextInt(alive.size()));
        Pair next = switch (r.nextInt(5)) {
          case 0, 1 -> {
            int x = r.nextInt(1000);
            List<Integer> ref = new ArrayList<>(p.reference());
            ref.add(x);
            yield new Pair(p.list().append(x), ref);
          }
          case 2 -> {
            int x = r.nextInt(1000);
            List<Integer> ref = new ArrayList<>(p.reference());
            if (ref.isEmpty()) {
              ref.add(x);
            } else {
              ref.set(ref.size() - 1, x);
            }
            yield new Pair(p.list().withNewest(x), ref);
          }
          case 3 -> {
            int x = r.nextInt(1000);
            int max = 1 + r.nextInt(r.nextBoolean() ? 4 : 25);
            List<Integer> ref = new ArrayList<>(p.reference());
            ref.add(x);
            yield new Pair(p.list().append(x, max), ref.subList(Math.max(0, ref.size() - max), ref.size()));
          }
          default -> {
            int n = r.nextInt(4) == 0 ? r.nextInt(30) - 5 : r.nextInt(3);
            List<Integer> ref = new ArrayList<>(p.reference().subList(Math.min(Math.max(n, 0), p.reference().size()),
                p.reference().size()));
            yield new Pair(p.list().dropOldest(n), ref);
          }
        };
        alive.add(next);
        if (alive.size() > 6) {
          alive.remove(r.nextInt(alive.size()));
        }
        for (Pair a : alive) {
          assertSame(a);
        }
      }
    }
  }

  @Test
  void aSlidingWindowOfTwentyKeepsTheLastTwentyWithoutGrowingItsStorage() {
    WindowList<Integer> w = WindowList.empty();
    List<Integer> ref = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      w = i % 2 == 0 ? w.dropOldest(w.size() - 19).append(i) : w.append(i, 20);
      ref.add(i);
      if (ref.size() > 20) {
        ref.remove(0);
      }
      assertSame(new Pair(w, ref));
    }
  }

  @Test
  void copyOfKeepsTheEntriesRejectsNullsAndReturnsAWindowListAsIs() {
    WindowList<String> w = WindowList.copyOf(List.of("a", "b", "c"));
    assertThat(w).containsExactly("a", "b", "c");
    assertThat(WindowList.copyOf(w)).isSameAs(w);
    assertThat(WindowList.copyOf(List.of())).isEmpty();
    assertThatThrownBy(() -> WindowList.copyOf(Arrays.asList("a", null))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> w.append(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> w.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> w.append("d", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theListCannotBeChangedThroughTheListInterface() {
    WindowList<String> w = WindowList.<String>empty().append("a").append("b");
    assertThatThrownBy(() -> w.add("c")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> w.set(0, "c")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> w.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(w::clear).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void listsDerivedFromOneListOnSeveralThreadsEachKeepTheirOwnEntries() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 200; round++) {
        WindowList<Integer> base = WindowList.<Integer>empty().append(-1).append(-2);
        List<Future<WindowList<Integer>>> derived = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int thread = t;
          derived.add(pool.submit(() -> {
            WindowList<Integer> w = base;
            for (int i = 0; i < 50; i++) {
              w = w.append(thread * 1000 + i);
            }
            return w;
          }));
        }
        for (int t = 0; t < 4; t++) {
          List<Integer> expected = new ArrayList<>(List.of(-1, -2));
          for (int i = 0; i < 50; i++) {
            expected.add(t * 1000 + i);
          }
          assertThat(derived.get(t).get()).containsExactlyElementsOf(expected);
        }
        assertThat(base).containsExactly(-1, -2);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertSame(Pair p) {
    WindowList<Integer> w = p.list();
    List<Integer> ref = p.reference();
    assertThat(w.size()).isEqualTo(ref.size());
    assertThat(w.isEmpty()).isEqualTo(ref.isEmpty());
    for (int i = 0; i < ref.size(); i++) {
      assertThat(w.get(i)).isEqualTo(ref.get(i));
    }
    assertThat(w.newest()).isEqualTo(ref.isEmpty() ? null : ref.get(ref.size() - 1));
    assertThat(w).isEqualTo(ref);
    assertThat(ref).isEqualTo(w);
    assertThat(w.hashCode()).isEqualTo(ref.hashCode());
    assertThat(w.toString()).isEqualTo(List.copyOf(ref).toString());
    assertThat(new ArrayList<>(w)).isEqualTo(ref);
  }
}
