package dev.rebound.retry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.classification.DecisionAction;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A decision's reasons are written out when read, once, and read like the list of their texts. */
class ReasonsTest {

  @Test
  void aReasonIsWrittenOutOnlyWhenFirstReadAndThenKept() {
    AtomicInteger written = new AtomicInteger();
    Reasons reasons = new Reasons().addText("first").add(() -> {
      written.incrementAndGet();
      return "second " + 2;
    });
    assertThat(written).hasValue(0);
    assertThat(reasons.get(1)).isEqualTo("second 2");
    assertThat(reasons.get(1)).isEqualTo("second 2");
    assertThat(written).hasValue(1);
  }

  @Test
  void reasonsReadEqualPrintAndHashLikeTheListOfTheirTexts() {
    Reasons reasons = new Reasons().add(() -> "a").addText("b").add(() -> "c").add(() -> "d").add(() -> "e");
    List<String> texts = List.of("a", "b", "c", "d", "e");
    assertThat(reasons).isEqualTo(texts);
    assertThat(texts).isEqualTo(reasons);
    assertThat(reasons.hashCode()).isEqualTo(texts.hashCode());
    assertThat(reasons.toString()).isEqualTo(texts.toString());
    assertThat(String.join("; ", reasons)).isEqualTo("a; b; c; d; e");
  }

  @Test
  void aDecisionsReasonsCannotBeChangedOnceItHoldsThem() {
    Reasons reasons = new Reasons().add(() -> "retry 1 of 5");
    RetryDecision d = new RetryDecision("t", 1, DecisionAction.DEAD_LETTER, null, null, 0,
        RetryDecision.Cause.MAX_RETRIES, false, false, null, reasons, Instant.EPOCH);
    assertThat(d.reasons()).containsExactly("retry 1 of 5");
    assertThatThrownBy(() -> reasons.addText("later")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> d.reasons().add("later")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> d.reasons().set(0, "other")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void anotherListOfReasonsIsCopiedAsBefore() {
    List<String> mutable = new java.util.ArrayList<>(List.of("x"));
    RetryDecision d = new RetryDecision("t", 1, DecisionAction.DEAD_LETTER, null, null, 0,
        RetryDecision.Cause.MAX_RETRIES, false, false, null, mutable, Instant.EPOCH);
    mutable.add("y");
    assertThat(d.reasons()).containsExactly("x");
    assertThat(new Reasons().addAllOf(List.of("p", "q")).addAllOf(new Reasons().add(() -> "r")))
        .containsExactly("p", "q", "r");
  }
}
