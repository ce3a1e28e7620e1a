package dev.rebound.analyzer.domain;

import java.util.Locale;
import java.util.Map;

/** POSIX signal names and numbers (Linux numbering), so {@code 9}, {@code kill} and {@code SIGKILL} compare equal. */
final class Signals {
  private static final String[] BY_NUMBER = {
      null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
      "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};
  private static final Map<String, String> WORDS = Map.of(
      "KILLED", "SIGKILL", "TERMINATED", "SIGTERM", "SEGMENTATION FAULT", "SIGSEGV", "ABORTED", "SIGABRT",
      "INTERRUPT", "SIGINT", "BUS ERROR", "SIGBUS", "BROKEN PIPE", "SIGPIPE", "HANGUP", "SIGHUP");

  private Signals() {
  }

  static String normalize(String raw) {
    String s = raw.trim().toUpperCase(Locale.ROOT);
    if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
      int n = Integer.parseInt(s);
      return n > 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : "SIG" + n;
    }
    String word = WORDS.get(s);
    if (word != null) {
      return word;
    }
    return s.startsWith("SIG") ? s : "SIG" + s;
  }

  /** Shells and container runtimes report death by signal N as exit code 128+N. */
  static String fromExitCode(int exitCode) {
    int n = exitCode - 128;
    return n > 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : null;
  }
}
