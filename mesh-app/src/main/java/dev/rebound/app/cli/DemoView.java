package dev.rebound.app.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code rebound demo} shows while it runs: one line per scenario (its state, then its outcome), the live
 * line of the scenario under way (its tasks by state), and the alerts Rebound raised. On a terminal the block is
 * redrawn in place; otherwise every new or changed line is printed once, in order, for logs and tests.
 */
public final class DemoView {
  private final PrintWriter out;
  private final boolean live;
  private final Map<String, String> scenarios = new LinkedHashMap<>();
  private final List<String> printed = new ArrayList<>();
  private String current = "";
  private String alerts = "";
  private int drawnLines;

  public DemoView(PrintWriter out, boolean live) {
    this.out = out;
    this.live = live;
  }

  /** A scenario's line: {@code "…"} while it runs, its outcome when done. */
  public synchronized void scenario(String name, String line) {
    String before = scenarios.put(name, line);
    if (!live && !line.equals(before)) {
      emit(name + ": " + line);
    }
    redraw();
  }

  /** The scenario under way: e.g. its tasks by state, the last decision. */
  public synchronized void progress(String line) {
    if (!live && !line.isEmpty() && !line.equals(current)) {
      emit("  " + line);
    }
    current = line;
    redraw();
  }

  public synchronized void alerts(String line) {
    if (!live && !line.equals(alerts)) {
      emit("  alerts: " + line);
    }
    alerts = line;
    redraw();
  }

  /** A line kept above the live block (a step's result). */
  public synchronized void note(String line) {
    if (live) {
      erase();
      out.println(line);
      drawnLines = 0;
      redraw();
    } else {
      emit("  " + line);
    }
  }

  /** Everything printed in plain mode, in order (what a log of the demo shows). */
  public synchronized List<String> lines() {
    return List.copyOf(printed);
  }

  /** Leaves the final state on screen. */
  public synchronized void finish() {
    if (live) {
      current = "";
      redraw();
    }
    out.flush();
  }

  private void emit(String line) {
    printed.add(line);
    out.println(line);
    out.flush();
  }

  private void redraw() {
    if (!live) {
      return;
    }
    erase();
    List<String> block = new ArrayList<>();
    scenarios.forEach((name, line) -> block.add(String.format("%-28s %s", name, line)));
    if (!current.isEmpty()) {
      block.add("  " + current);
    }
    if (!alerts.isEmpty()) {
      block.add("  alerts: " + alerts);
    }
    block.forEach(out::println);
    drawnLines = block.size();
    out.flush();
  }

  private void erase() {
    for (int i = 0; i < drawnLines; i++) {
      out.print("\033[1A\033[2K");
    }
    drawnLines = 0;
  }
}
