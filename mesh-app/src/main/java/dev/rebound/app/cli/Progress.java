package dev.rebound.app.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A progress indicator for long operations: on a terminal a spinner with what is going on, redrawn in place
 * on stderr and erased at the end; otherwise nothing (scripts read stdout, and a log wants no spinner).
 */
public final class Progress implements AutoCloseable {
  private static final String FRAMES = "|/-\\";
  private static volatile boolean terminal;

  private final PrintWriter err;
  private final AtomicReference<String> label;
  private final Thread spinner;

  private Progress(PrintWriter err, String label) {
    this.err = err;
    this.label = new AtomicReference<>(label);
    this.spinner = terminal ? new Thread(this::spin, "rebound-progress") : null;
    if (spinner != null) {
      spinner.setDaemon(true);
      spinner.start();
    }
  }

  /** Called once by {@code main}: whether stdout and stderr are a person's terminal. */
  public static void detectTerminal() {
    terminal = System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
  }

  /** True when the CLI talks to a terminal (progress, live views); false in scripts, pipes and tests. */
  public static boolean onTerminal() {
    return terminal;
  }

  public static Progress start(PrintWriter err, String label) {
    return new Progress(err, label);
  }

  /** Runs {@code work} with a spinner saying {@code label}. */
  public static <T> T around(PrintWriter err, String label, Callable<T> work) {
    try (Progress p = start(err, label)) {
      return work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CliFailure(CliFailure.FAILED, e.toString());
    }
  }

  public void update(String text) {
    label.set(text);
  }

  private void spin() {
    int i = 0;
    while (!Thread.currentThread().isInterrupted()) {
      synchronized (err) {
        err.print("\r\033[2K" + FRAMES.charAt(i++ % FRAMES.length()) + " " + label.get());
        err.flush();
      }
      try {
        Thread.sleep(120);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    if (spinner == null) {
      return;
    }
    spinner.interrupt();
    try {
      spinner.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (err) {
      err.print("\r\033[2K");
      err.flush();
    }
  }
}
