package dev.rebound.analyzer.bench;

import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.FailureInput;
import dev.rebound.analyzer.domain.Rule;
import dev.rebound.analyzer.domain.RuleCatalog;
import dev.rebound.analyzer.domain.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * of them matching no rule. {@code catalog=doubled} adds a renamed copy of every rule to show that
 * the cost does not grow with the number of rules.
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
    for (FailureInput in : inputs) {
      classifier.classify(in); // the miner learns every template once, as a long-running service would have
    }
  }

  static RuleCatalog doubled(RuleCatalog base) {
    List<Rule> rules = new ArrayList<>(base.rules());
    for (Rule r : base.rules()) {
      rules.add(new Rule(r.id() + "-copy", r.match(), r.keywords(), r.category(), r.transientFailure(), r.severity(),
          r.rootCause(), r.recommendations(), r.retryAfter(), r.priority(), r.confidence()));
    }
    return RuleCatalog.of(rules);
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
        sb.append(new java.util.UUID(r.nextLong(), r.nextLong()));
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
