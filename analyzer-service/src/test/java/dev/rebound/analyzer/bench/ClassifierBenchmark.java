package dev.rebound.analyzer.bench;

import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.FailureInput;
import dev.rebound.analyzer.domain.Rule;
import dev.rebound.analyzer.domain.RuleCatalog;
import dev.rebound.analyzer.domain.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one verdict with the full built-in catalog, on messages of up to 300 characters drawn from
 * realistic failure shapes with fresh hosts, ids and timings (so masking does real work), a quarter
 * of them matching no rule. {@code catalog=doubled} adds, for every built-in rule, a <em>distinct</em>
 * derived rule (see {@link #derive}): same matcher kinds and regex structure, but other literals, so
 * the automaton, the index and the compiled regexes really double, to show that the cost does not grow
 * with the number of rules.
 *
 * <p>Run: {@code mvn -q -pl analyzer-service test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.rebound.analyzer.bench.BenchmarkMain -Dexec.args="ClassifierBenchmark -f 1 -wi 3 -i 5 -t 1"}
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClassifierBenchmark {

  @Param({"builtin", "doubled"})
  public String catalog;

  private Classifier classifier;
  private FailureInput[] inputs;

  static final String[] SHAPES = {
      "Error: connect ECONNREFUSED %ip:%port",
      "Error: read ECONNRESET at TLSWrap.onStreamRead (node:internal/stream_base_commons:%n:%n)",
      "FetchError: request to https://api.%host/v1/items/%n failed, reason: connect ETIMEDOUT %ip:443",
      "HTTPError: 503 Server Error: Service Unavailable for url: https://%host/v2/quotes/%n",
      "Request failed with status code 429; Retry-After: %n",
      "org.postgresql.util.PSQLException: ERROR: could not serialize access due to concurrent update (tx %n)",
      "ERROR: deadlock detected DETAIL: Process %n waits for ShareLock on transaction %n; blocked by process %n.",
      "FATAL: password authentication failed for user \"svc_%n\"",
      "ERROR: duplicate key value violates unique constraint \"orders_pkey\" DETAIL: Key (id)=(%n) already exists.",
      "java.lang.OutOfMemoryError: Java heap space while processing batch %uuid",
      "java.net.SocketTimeoutException: Read timed out after %msms calling https://%host/api",
      "Container worker-%n in pod jobs-%hex-xk2lp was OOMKilled (exit code 137)",
      "0/%n nodes are available: %n Insufficient cpu, %n Insufficient memory.",
      "Failed to pull image \"registry.%host/team/api:v%n.%n\": toomanyrequests: You have reached your pull rate limit",
      "HttpError: You have exceeded a secondary rate limit. Please wait before retrying. request id %hex",
      "An error occurred (ThrottlingException) when calling the DescribeStacks operation: Rate exceeded",
      "openai.RateLimitError: Error code: 429 - Rate limit reached for gpt-4o on tokens per min. Please try again in %mss.",
      "anthropic.InternalServerError: Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error'}}",
      "Traceback (most recent call last): File \"/app/jobs/sync_%n.py\", line %n, in run KeyError: 'customer_%n'",
      "ModuleNotFoundError: No module named 'pandas_%n'",
      "panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV pc=0x%hex]",
      "Get \"https://%host/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
      "thread 'worker-%n' panicked at 'called `Option::unwrap()` on a `None` value', src/queue.rs:%n:%n",
      "npm ERR! code E404 npm ERR! 404 Not Found - GET https://registry.npmjs.org/@acme%2fpkg-%n",
      "fatal: unable to access 'https://github.com/acme/repo-%n.git/': Could not resolve host: github.com",
      "error: RPC failed; curl 92 HTTP/2 stream %n was not closed cleanly: CANCEL (err 8) fatal: early EOF",
      "TimeoutError: page.click: Timeout %nms exceeded. waiting for locator('#submit-%n')",
      "javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to %host",
      "write /var/lib/docker/tmp/blob-%hex: no space left on device",
      "Process completed with exit code 143.",
      "upstream connect error or disconnect/reset before headers. reset reason: connection failure to %ip:%port",
      "curl: (28) Operation timed out after %n milliseconds with 0 bytes received from %host",
      // no rule matches these: the unknown path (masking, Drain, no regex) must be cheap too
      "invoice %n for customer %uuid could not be reconciled: totals differ by %n cents",
      "export job %hex finished with %n warnings and 0 rows written to s3 prefix reports/%n",
      "unexpected state transition PENDING -> SETTLED for payment pay_%hex on shard %n",
      "widget renderer returned empty frame %n of %n for layout %uuid",
      "cache warmup for tenant t-%n skipped: snapshot %hex older than %ns",
      "scheduler tick %n skipped because the previous tick %uuid was still running",
      "feature flag %hex evaluated to an unknown variant for cohort %n",
      "reconciliation batch %n produced %n orphan rows in table staging_%n",
  };

  @Setup(Level.Trial)
  public void setUp() {
    RuleCatalog builtin = RuleCatalog.builtin();
    RuleCatalog chosen = switch (catalog) {
      case "builtin" -> builtin;
      case "doubled" -> doubled(builtin);
      default -> throw new IllegalArgumentException(catalog);
    };
    classifier = Classifier.builder(chosen).build();
    inputs = messages(4096, new Random(42));
    if (catalog.equals("doubled")) {
      checkDerivedRulesMatchNothing(builtin, inputs);
    }
    for (FailureInput in : inputs) {
      classifier.classify(in); // the miner learns every template once, as a long-running service would have
    }
  }

  /** The built-in rules plus one distinct derived rule per built-in rule. */
  static RuleCatalog doubled(RuleCatalog base) {
    List<Rule> rules = new ArrayList<>(base.rules());
    for (Rule r : base.rules()) {
      rules.add(derive(r));
    }
    return RuleCatalog.of(rules);
  }

  /**
   * A rule of the same shape as {@code r} with other literals: every letter outside regex syntax
   * (escapes, character classes, group constructs, quantifier braces) is shifted by 13 (ROT13), in
   * the regexes, the {@code contains} literals, the keywords and the exception types. The derived
   * regex has the same structure and cost as the original, but its literal factors are new strings,
   * so they are new automaton states and new index entries, and they practically never occur in a
   * real message (checked on the benchmark messages by {@link #checkDerivedRulesMatchNothing}). Structured matchers (HTTP status, exit
   * code, signal, SQLSTATE) are kept, so derived rules that have no text matcher are real candidates
   * for the same failures as their originals.
   */
  static Rule derive(Rule r) {
    Rule.Matchers m = r.match();
    Rule.Matchers derived = new Rule.Matchers(m.regex().stream().map(ClassifierBenchmark::rot13Regex).toList(),
        m.contains().stream().map(ClassifierBenchmark::rot13).toList(),
        m.exceptions().stream().map(ClassifierBenchmark::rot13).toList(), m.httpStatus(), m.exitCodes(), m.signals(),
        m.sqlStates());
    return new Rule(r.id() + "-derived", derived, r.keywords().stream().map(ClassifierBenchmark::rot13).toList(),
        r.category(), r.transientFailure(), r.severity(), r.rootCause(), r.recommendations(), r.retryAfter(),
        r.priority(), r.confidence());
  }

  /** The derived rules with text matchers must be new rules, not copies that match the same messages. */
  static void checkDerivedRulesMatchNothing(RuleCatalog builtin, FailureInput[] inputs) {
    List<Rule> textRules = builtin.rules().stream().map(ClassifierBenchmark::derive)
        .filter(r -> !r.match().regex().isEmpty() || !r.match().contains().isEmpty() || !r.match().exceptions().isEmpty())
        .toList();
    Classifier derivedOnly = Classifier.builder(RuleCatalog.of(textRules)).build();
    for (FailureInput in : inputs) {
      Verdict v = derivedOnly.classify(in);
      if (v.ruleId() != null) {
        throw new IllegalStateException("derived rule " + v.ruleId() + " matches a benchmark message: " + in.message());
      }
    }
  }

  static String rot13(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      sb.append(rot13(s.charAt(i)));
    }
    return sb.toString();
  }

  private static char rot13(char c) {
    if (c >= 'a' && c <= 'z') {
      return (char) ('a' + (c - 'a' + 13) % 26);
    }
    if (c >= 'A' && c <= 'Z') {
      return (char) ('A' + (c - 'A' + 13) % 26);
    }
    return c;
  }

  /** ROT13 of the literal letters of a Java regex; syntax is copied unchanged. */
  static String rot13Regex(String regex) {
    StringBuilder sb = new StringBuilder(regex.length());
    int n = regex.length();
    int i = 0;
    while (i < n) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < n) {
        char e = regex.charAt(i + 1);
        int end;
        if (e == 'Q') { // \Q...\E quotes literals: shift them
          int q = regex.indexOf("\\E", i + 2);
          int stop = q < 0 ? n : q;
          sb.append("\\Q").append(rot13(regex.substring(i + 2, stop)));
          end = q < 0 ? n : q + 2;
          if (q >= 0) {
            sb.append("\\E");
          }
          i = end;
          continue;
        }
        if ((e == 'p' || e == 'P' || e == 'x' || e == 'N') && i + 2 < n && regex.charAt(i + 2) == '{') {
          end = regex.indexOf('}', i) + 1;
        } else if (e == 'k' && i + 2 < n && regex.charAt(i + 2) == '<') {
          end = regex.indexOf('>', i) + 1;
        } else if (e == 'p' || e == 'P') {
          end = i + 3;
        } else if (e == 'x') {
          end = i + 4;
        } else if (e == 'u') {
          end = i + 6;
        } else if (e == 'c') {
          end = i + 3;
        } else {
          end = i + 2; // \d \b \. \( ...: kept as they are
        }
        end = Math.min(Math.max(end, i + 2), n);
        sb.append(regex, i, end);
        i = end;
      } else if (c == '[') { // character class, possibly nested: kept
        int depth = 0;
        int j = i;
        for (; j < n; j++) {
          char d = regex.charAt(j);
          if (d == '\\') {
            j++;
          } else if (d == '[') {
            depth++;
          } else if (d == ']' && j > i + 1 && !(j == i + 2 && regex.charAt(i + 1) == '^')) {
            if (--depth == 0) {
              break;
            }
          }
        }
        int end = Math.min(j + 1, n);
        sb.append(regex, i, end);
        i = end;
      } else if (c == '(' && i + 1 < n && regex.charAt(i + 1) == '?') { // (?i) (?<name> (?<= (?: ...: kept
        int j = i + 2;
        if (j < n && regex.charAt(j) == '<' && j + 1 < n && regex.charAt(j + 1) != '=' && regex.charAt(j + 1) != '!') {
          j = regex.indexOf('>', j) + 1;
        } else {
          while (j < n && "imsuxdU-".indexOf(regex.charAt(j)) >= 0) {
            j++;
          }
          if (j < n && "=!<>:)".indexOf(regex.charAt(j)) >= 0) {
            j += regex.startsWith("<=", j) || regex.startsWith("<!", j) ? 2 : 1;
          }
        }
        sb.append(regex, i, j);
        i = j;
      } else if (c == '{' && i + 1 < n && Character.isDigit(regex.charAt(i + 1))) { // quantifier
        int end = regex.indexOf('}', i) + 1;
        sb.append(regex, i, end);
        i = end;
      } else {
        sb.append(rot13(c));
        i++;
      }
    }
    return sb.toString();
  }

  static FailureInput[] messages(int count, Random random) {
    FailureInput[] out = new FailureInput[count];
    for (int i = 0; i < count; i++) {
      String m = fill(SHAPES[random.nextInt(SHAPES.length)], random);
      out[i] = FailureInput.ofMessage(m.length() > 300 ? m.substring(0, 300) : m);
    }
    return out;
  }

  private static String fill(String shape, Random r) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length(); i++) {
      if (shape.charAt(i) != '%') {
        sb.append(shape.charAt(i));
        continue;
      }
      if (shape.startsWith("%ip", i)) {
        sb.append(10).append('.').append(r.nextInt(256)).append('.').append(r.nextInt(256)).append('.').append(r.nextInt(256));
        i += 2;
      } else if (shape.startsWith("%port", i)) {
        sb.append(1024 + r.nextInt(60000));
        i += 4;
      } else if (shape.startsWith("%host", i)) {
        sb.append("svc-").append(r.nextInt(50)).append(".internal.acme.io");
        i += 4;
      } else if (shape.startsWith("%uuid", i)) {
        sb.append(new UUID(r.nextLong(), r.nextLong()));
        i += 4;
      } else if (shape.startsWith("%hex", i)) {
        sb.append(Long.toHexString(r.nextLong() | 0x1000000000000000L));
        i += 3;
      } else if (shape.startsWith("%ms", i)) {
        sb.append(1 + r.nextInt(5000));
        i += 2;
      } else if (shape.startsWith("%n", i)) {
        sb.append(r.nextInt(100_000));
        i += 1;
      } else {
        sb.append('%');
      }
    }
    return sb.toString();
  }

  /** Cycles through the prepared inputs; one instance per benchmark thread. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Verdict throughput(Cursor cursor) {
    return classifier.classify(inputs[cursor.next++ & (inputs.length - 1)]);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Verdict latency(Cursor cursor) {
    return classifier.classify(inputs[cursor.next++ & (inputs.length - 1)]);
  }
}
