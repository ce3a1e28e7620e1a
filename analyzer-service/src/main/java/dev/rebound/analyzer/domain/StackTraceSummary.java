package dev.rebound.analyzer.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * What a stack trace says about where an error came from: the chain of exception types (outermost
 * first, then each {@code Caused by}) and the topmost in-app frames, without line numbers (they move
 * with every deploy). Understands Java/Kotlin, Python, Node.js and Go traces.
 *
 * <p>A frame is "in-app" unless it belongs to a runtime or framework: {@code java.}, {@code javax.},
 * {@code jdk.}, {@code sun.}, {@code com.sun.}, {@code kotlin.}, {@code scala.}, {@code io.netty.},
 * {@code io.vertx.}, {@code org.junit.}, {@code node_modules}, {@code node:internal},
 * {@code site-packages}, {@code dist-packages}, {@code /usr/lib/}, {@code /usr/local/go/}, {@code runtime/}.
 *
 * @param exceptionChain exception type names as written in the trace
 * @param inAppFrames    up to {@link #MAX_FRAMES} frames, e.g. {@code com.acme.Billing.charge}
 * @param headLines      the lines that name an exception (e.g. {@code Caused by: ...}), for rule matching
 */
public record StackTraceSummary(List<String> exceptionChain, List<String> inAppFrames, List<String> headLines) {

  public static final int MAX_FRAMES = 3;
  public static final StackTraceSummary EMPTY = new StackTraceSummary(List.of(), List.of(), List.of());
  private static final int MAX_LINES = 400;
  private static final String[] LIBRARY_PREFIXES = {
      "java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "io.netty.", "io.vertx.",
      "org.junit.", "org.springframework.", "reactor.", "io.reactivex.", "runtime.", "net/http.", "testing."};
  private static final String[] LIBRARY_PATH_PARTS = {
      "node_modules", "node:internal", "internal/", "site-packages", "dist-packages", "/usr/lib/", "/usr/local/lib/",
      "/usr/local/go/", "<frozen ", "/rustc/", ".cargo/registry"};

  public StackTraceSummary {
    exceptionChain = List.copyOf(exceptionChain);
    inAppFrames = List.copyOf(inAppFrames);
    headLines = List.copyOf(headLines);
  }

  public boolean isEmpty() {
    return exceptionChain.isEmpty() && inAppFrames.isEmpty();
  }

  /** Parses a stack trace; {@code null} or blank gives {@link #EMPTY}. */
  public static StackTraceSummary parse(String trace) {
    if (trace == null || trace.isBlank()) {
      return EMPTY;
    }
    List<String> chain = new ArrayList<>();
    List<String> frames = new ArrayList<>();
    List<String> heads = new ArrayList<>();
    String[] lines = trace.split("\r?\n", MAX_LINES + 1);
    String pendingGoFunction = null;
    String pendingPythonFile = null;
    for (int li = 0; li < Math.min(lines.length, MAX_LINES); li++) {
      String raw = lines[li];
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      // Java: "at com.acme.Foo.bar(Foo.java:12)"; Node: "at bar (/app/foo.js:12:5)" or "at /app/foo.js:12:5"
      if (line.startsWith("at ")) {
        String frame = line.substring(3).strip();
        int paren = frame.indexOf('(');
        String location = paren >= 0 ? frame.substring(paren + 1) : frame;
        String function = paren >= 0 ? frame.substring(0, paren).strip() : "";
        if (function.startsWith("async ")) {
          function = function.substring(6);
        }
        if (isInApp(function, location) && frames.size() < MAX_FRAMES) {
          frames.add(function.isEmpty() ? stripLineNumbers(baseName(location)) : function + jsFile(function, location));
        }
        continue;
      }
      // Python: File "/app/x.py", line 12, in charge
      if (line.startsWith("File \"")) {
        int close = line.indexOf('"', 6);
        int in = line.lastIndexOf(", in ");
        if (close > 0 && in > 0) {
          String file = line.substring(6, close);
          if (isInApp("", file)) {
            pendingPythonFile = baseName(file) + ":" + line.substring(in + 5).strip();
          }
        }
        continue;
      }
      // Go: "main.handler(0xc000...)" followed by "\t/app/main.go:42 +0x1d"
      if (raw.startsWith("\t") && pendingGoFunction != null && line.contains(".go:")) {
        if (isInApp(pendingGoFunction, line) && frames.size() < MAX_FRAMES) {
          frames.add(pendingGoFunction);
        }
        pendingGoFunction = null;
        continue;
      }
      if (line.endsWith(")") && line.indexOf('(') > 0 && !line.contains(" ") && line.contains(".")) {
        pendingGoFunction = line.substring(0, line.indexOf('('));
        continue;
      }
      String type = exceptionTypeAtStart(line);
      if (type != null) {
        chain.add(type);
        heads.add(line.length() > 300 ? line.substring(0, 300) : line);
      }
    }
    if (pendingPythonFile != null && frames.size() < MAX_FRAMES) {
      frames.add(pendingPythonFile); // Python prints the innermost frame last: it is where it was raised
    }
    return new StackTraceSummary(chain, frames, heads);
  }

  private static String jsFile(String function, String location) {
    return location.contains(".js") || location.contains(".ts") ? "@" + stripLineNumbers(baseName(location)) : "";
  }

  /** Exception type at the start of a line: "Caused by: x.Y: msg", "x.YException: msg", "panic: ...". */
  static String exceptionTypeAtStart(String line) {
    String s = line;
    if (s.startsWith("Caused by: ")) {
      s = s.substring(11);
    } else if (s.startsWith("Exception in thread ")) {
      int q = s.indexOf('"', 21);
      s = q > 0 ? s.substring(q + 1).strip() : s;
    }
    if (s.startsWith("panic: ")) {
      return "panic";
    }
    int end = 0;
    while (end < s.length() && (Character.isJavaIdentifierPart(s.charAt(end)) || s.charAt(end) == '.')) {
      end++;
    }
    if (end == 0 || end < s.length() && s.charAt(end) != ':') {
      return null;
    }
    String type = s.substring(0, end);
    return ExceptionNames.looksLikeType(type) ? type : null;
  }

  private static boolean isInApp(String function, String location) {
    for (String p : LIBRARY_PREFIXES) {
      if (function.startsWith(p)) {
        return false;
      }
    }
    for (String p : LIBRARY_PATH_PARTS) {
      if (location.contains(p)) {
        return false;
      }
    }
    return !function.isEmpty() || !location.isEmpty();
  }

  private static String baseName(String path) {
    int cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    String b = cut >= 0 ? path.substring(cut + 1) : path;
    return b.endsWith(")") ? b.substring(0, b.length() - 1) : b;
  }

  private static String stripLineNumbers(String s) {
    int colon = s.indexOf(':');
    return colon > 0 ? s.substring(0, colon) : s;
  }
}
