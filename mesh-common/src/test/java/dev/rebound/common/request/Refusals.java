package dev.rebound.common.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.ErrorCode;
import dev.rebound.common.ReboundException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on how a request is refused: the code, the message people read, the field named. */
final class Refusals {
  static final LedgerLimits LIMITS = new LedgerLimits(100, 60_000, 10, 30_000);

  private Refusals() {
  }

  static void refused(ThrowingCallable parse, ErrorCode code, String message) {
    assertThatThrownBy(parse).isInstanceOfSatisfying(ReboundException.class, e -> {
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.getMessage()).isEqualTo(message);
    });
  }

  static void badField(ThrowingCallable parse, String field, String message) {
    assertThatThrownBy(parse).isInstanceOfSatisfying(ReboundException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.getMessage()).isEqualTo(message);
      assertThat(e.details().getString("field")).isEqualTo(field);
    });
  }

  static void unknownField(ThrowingCallable parse, String field) {
    assertThatThrownBy(parse).isInstanceOfSatisfying(ReboundException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.getMessage()).startsWith("unknown field '" + field + "' (known: [");
      assertThat(e.details().getString("field")).isEqualTo(field);
    });
  }
}
