package dev.rebound.ledger.store;

import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Instants to and from {@code timestamptz} parameters and columns. */
public final class Timestamps {
  private Timestamps() {
  }

  public static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  /**
   * The "now" leases are judged by, as a statement parameter: null when {@code clock} is a system
   * clock — the statement then uses the database's {@code now()}, one clock for every ledger
   * instance whatever their JVMs' clocks say — or the clock's own instant when a test injected one
   * it moves by hand.
   */
  public static OffsetDateTime leaseNow(Clock clock) {
    return databaseJudgesLeases(clock) ? null : ts(clock.instant());
  }

  /** True for the system clocks production runs with. */
  public static boolean databaseJudgesLeases(Clock clock) {
    return clock.getClass() == Clock.systemUTC().getClass();
  }

  public static Instant instant(Row row, String column) {
    OffsetDateTime t = row.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }
}
