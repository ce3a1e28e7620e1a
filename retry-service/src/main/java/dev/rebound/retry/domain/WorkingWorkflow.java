package dev.rebound.retry.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A workflow's window as {@link RetryDecider} keeps it between its restore and its snapshot: the fields of
 * a {@link WorkflowWindow}, changed in place by the {@link WorkflowAbort} rules. Every change increments
 * the version, so the window exported is equal to the one the rules used to build and is built again only
 * after a change. Each attempt's fields sit in arrays (an {@link WorkflowWindow.Attempt} is built only for
 * a snapshot), its task id's hash beside them, and the failures are counted as they come and go: every
 * outcome looks for its (task, attempt) and every failure needs the count.
 */
final class WorkingWorkflow {

  final String workflowId;
  // per attempt, in a ring from head, size of them, oldest first
  private String[] taskIds = new String[8];
  /** The task ids' hashes (0 for none): a look-up reads no id that cannot match. */
  private int[] tasks = new int[8];
  private int[] attempts = new int[8];
  private boolean[] failed = new boolean[8];
  private String[] stages = new String[8];
  private String[] fingerprints = new String[8];
  private String[] categories = new String[8];
  // each attempt's time as seconds and nanoseconds: an Instant in this long-lived array cost a GC write barrier
  // (a fence) per outcome; the snapshot's Instant is equal to the one recorded
  private long[] atSeconds = new long[8];
  private int[] atNanos = new int[8];
  /** In {@link #atNanos}: an attempt restored without a time. */
  private static final int NO_TIME = -1;
  private int head;
  private int size;
  private int failures;
  Instant abortedAt;
  long version;
  private WorkflowWindow exported;
  private int markHead;
  private int markSize;
  private int markFailures;
  private Instant markAbortedAt;
  private long markVersion;
  private String[] markArrays;

  private WorkingWorkflow(String workflowId) {
    this.workflowId = workflowId;
  }

  static WorkingWorkflow empty(String workflowId) {
    return of(WorkflowWindow.empty(workflowId));
  }

  static WorkingWorkflow of(WorkflowWindow w) {
    WorkingWorkflow x = new WorkingWorkflow(w.workflowId());
    for (WorkflowWindow.Attempt a : w.recent()) {
      x.append(a.taskId(), a.attempt(), a.failed(), a.stage(), a.fingerprint(), a.category(), a.at(), Integer.MAX_VALUE);
    }
    x.abortedAt = w.abortedAt();
    x.version = w.version();
    x.exported = w;
    return x;
  }

  /** Remembers the window as it is, for {@link #undo}. */
  void mark() {
    markHead = head;
    markSize = size;
    markFailures = failures;
    markAbortedAt = abortedAt;
    markVersion = version;
    markArrays = taskIds;
  }

  /**
   * Back to the window as it was {@link #mark marked}, before one more attempt (and maybe an abort): the
   * attempts dropped then are still in their slots, and the one appended went to a slot that was free.
   */
  void undo() {
    // grown since: the entries then are the first ones now
    head = markArrays == taskIds ? markHead : 0;
    size = markSize;
    failures = markFailures;
    abortedAt = markAbortedAt;
    version = markVersion;
  }

  int size() {
    return size;
  }

  int failures() {
    return failures;
  }

  /** Whether the window holds this (task, attempt). */
  boolean holds(String taskId, int attempt) {
    int hash = taskId.hashCode();
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      if (attempts[s] == attempt && tasks[s] == hash && taskId.equals(taskIds[s])) {
        return true;
      }
    }
    return false;
  }

  /**
   * Appends an attempt after the newest, dropping the oldest beyond {@code max}. The slots dropped keep
   * their attempt (until written again) and the new one goes to a slot that was free, for {@link #undo}.
   */
  void append(String taskId, int attempt, boolean fail, String stage, String fingerprint, String category,
      Instant at, int max) {
    if (size == taskIds.length) {
      grow();
    }
    while (size > 0 && size >= max) {
      if (failed[head]) {
        failures--;
      }
      head = slot(1);
      size--;
    }
    int s = slot(size++);
    taskIds[s] = taskId;
    tasks[s] = taskId == null ? 0 : taskId.hashCode();
    attempts[s] = attempt;
    failed[s] = fail;
    write(stages, s, stage);
    write(fingerprints, s, fingerprint);
    write(categories, s, category);
    atSeconds[s] = at == null ? 0 : at.getEpochSecond();
    atNanos[s] = at == null ? NO_TIME : at.getNano();
    if (fail) {
      failures++;
    }
  }

  /**
   * {@code values[s] = value}, unless it holds that value already (the stage, fingerprint and category of a
   * workflow's attempts repeat): a reference written into a long-lived array costs a GC write barrier.
   */
  private static void write(String[] values, int s, String value) {
    if (values[s] != value) {
      values[s] = value;
    }
  }

  private int slot(int index) {
    return (head + index) & (taskIds.length - 1);
  }

  private void grow() {
    int n = taskIds.length * 2;
    String[] t = new String[n];
    int[] h = new int[n];
    int[] a = new int[n];
    boolean[] f = new boolean[n];
    String[] st = new String[n];
    String[] fp = new String[n];
    String[] c = new String[n];
    long[] sec = new long[n];
    int[] nano = new int[n];
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      t[i] = taskIds[s];
      h[i] = tasks[s];
      a[i] = attempts[s];
      f[i] = failed[s];
      st[i] = stages[s];
      fp[i] = fingerprints[s];
      c[i] = categories[s];
      sec[i] = atSeconds[s];
      nano[i] = atNanos[s];
    }
    taskIds = t;
    tasks = h;
    attempts = a;
    failed = f;
    stages = st;
    fingerprints = fp;
    categories = c;
    atSeconds = sec;
    atNanos = nano;
    head = 0;
  }

  /** The window as a record: the one imported or last exported while nothing has changed since. */
  WorkflowWindow snapshot() {
    if (exported == null || exported.version() != version) {
      exported = new WorkflowWindow(workflowId, recentList(), abortedAt, version);
    }
    return exported;
  }

  /** The attempts, oldest first. */
  List<WorkflowWindow.Attempt> recentList() {
    List<WorkflowWindow.Attempt> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      out.add(new WorkflowWindow.Attempt(taskIds[s], attempts[s], failed[s], stages[s], fingerprints[s], categories[s],
          atNanos[s] == NO_TIME ? null : Instant.ofEpochSecond(atSeconds[s], atNanos[s])));
    }
    return out;
  }
}
