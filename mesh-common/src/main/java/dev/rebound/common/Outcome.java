package dev.rebound.common;

/**
 * The result of one item of a batch: a value, or the error that fails only that item. Used where a
 * single future carries many items' results, so that "value or error" has a type instead of being
 * an {@code Object} tested with {@code instanceof}.
 */
public sealed interface Outcome<T> {
  record Ok<T>(T value) implements Outcome<T> {
  }

  record Failed<T>(Throwable error) implements Outcome<T> {
  }

  static <T> Outcome<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> Outcome<T> failed(Throwable error) {
    return new Failed<>(error);
  }
}
