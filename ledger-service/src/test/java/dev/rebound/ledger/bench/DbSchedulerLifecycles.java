package dev.rebound.ledger.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The baseline of the ledger benchmark: the same lifecycle (schedule → pick → run → complete) with
 * db-scheduler on plain JDBC (PostgreSQL driver, HikariCP), lock-and-fetch polling, 8 producer
 * threads scheduling one task per statement, against its own fresh database on the same server.
 */
final class DbSchedulerLifecycles {
  private static final String TABLE = """
      CREATE TABLE scheduled_tasks (
        task_name TEXT NOT NULL, task_instance TEXT NOT NULL, task_data BYTEA,
        execution_time TIMESTAMP WITH TIME ZONE NOT NULL, picked BOOLEAN NOT NULL, picked_by TEXT,
        last_success TIMESTAMP WITH TIME ZONE, last_failure TIMESTAMP WITH TIME ZONE, consecutive_failures INT,
        last_heartbeat TIMESTAMP WITH TIME ZONE, version BIGINT NOT NULL, priority SMALLINT,
        PRIMARY KEY (task_name, task_instance));
      CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
      CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
      CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)""";

  private DbSchedulerLifecycles() {
  }

  /** Runs {@code n} lifecycles; answers lifecycles per second (from the first schedule to the last row deleted). */
  static double run(PgConnectOptions db, String label, int n, int producers, int threads) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl("jdbc:postgresql://" + db.getHost() + ":" + db.getPort() + "/" + db.getDatabase());
    hc.setUsername(db.getUser());
    hc.setPassword(db.getPassword());
    hc.setMaximumPoolSize(producers + threads + 2);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS scheduled_tasks");
        s.execute(TABLE);
      }
      AtomicInteger ran = new AtomicInteger();
      OneTimeTask<Void> task = Tasks.oneTime("bench", Void.class).execute((instance, ctx) -> ran.incrementAndGet());
      Scheduler scheduler = Scheduler.create(ds, task).threads(threads).pollingInterval(Duration.ofMillis(50))
          .pollUsingLockAndFetch(0.5, 1.0).build();
      scheduler.start();
      try {
        long start = System.nanoTime();
        CountDownLatch produced = new CountDownLatch(producers);
        AtomicInteger next = new AtomicInteger();
        for (int p = 0; p < producers; p++) {
          Thread t = new Thread(() -> {
            int i;
            while ((i = next.getAndIncrement()) < n) {
              scheduler.schedule(task.instance(label + "-" + i), Instant.now());
            }
            produced.countDown();
          }, "dbs-producer-" + p);
          t.start();
        }
        produced.await(10, TimeUnit.MINUTES);
        // done when every task ran and its row is gone (db-scheduler deletes a finished one-time task)
        while (ran.get() < n || remaining(ds) > 0) {
          Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = n / seconds;
        System.out.printf("db-scheduler %s: %d lifecycles in %.2f s = %.0f lifecycles/s (%d producer threads, %d executor threads, lock-and-fetch)%n",
            label, n, seconds, rate, producers, threads);
        return rate;
      } finally {
        scheduler.stop();
      }
    }
  }

  private static long remaining(HikariDataSource ds) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
