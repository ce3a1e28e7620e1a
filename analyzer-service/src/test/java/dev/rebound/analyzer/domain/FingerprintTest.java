package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FingerprintTest {

  private final TemplateMasker masker = new TemplateMasker();

  private static Classifier classifier() {
    return Classifier.builder(RuleCatalog.builtin()).build();
  }

  @Test
  void variablesAreMaskedIntoTypedPlaceholders() {
    assertThat(masker.mask("connect ECONNREFUSED 10.0.0.7:5432")).isEqualTo("connect ECONNREFUSED <hostport>");
    assertThat(masker.mask("GET https://api.example.com/v1/users/42 took 250ms (limit 30s), body 1.5MB"))
        .isEqualTo("GET <url> took <duration> (limit <duration>), body <size>");
    assertThat(masker.mask("task 3f2b8c1e-9d4a-4f6b-8e2c-1a2b3c4d5e6f failed at 2024-03-01T10:22:33.123Z on worker-17"))
        .isEqualTo("task <uuid> failed at <ts> on worker-<num>");
    assertThat(masker.mask("open /var/lib/app/data/segment.0042: no such file, user 'alice' at alice@example.com"))
        .isEqualTo("open <path>: no such file, user <quoted> at <email>");
    assertThat(masker.mask("commit a1b2c3d4e5f6 pushed by pod web-7f9c8d6b5-xk2lp on [::1]:8080 and fe80::1ff:fe23:4567:890a"))
        .isEqualTo("commit <hex> pushed by pod web-<hex>-xk2lp on <hostport> and <ip>");
    assertThat(masker.mask("limit=512Mi timeout=1m30s x-ratelimit-reset: 1700000000"))
        .isEqualTo("limit=<size> timeout=<duration> x-ratelimit-reset: <ts>");
  }

  @Test
  void quantitiesLoopbackNamesJsonKeysAndQuotedProseAreMaskedByShapeNotByMessage() {
    // a number and a separate unit word are one quantity; units glued inside compound tokens too
    assertThat(masker.mask("Server selection timed out after 30000 ms")).isEqualTo("Server selection timed out after <duration>");
    assertThat(masker.mask("Unable to allocate 7.45 GiB, total-vm:8123456kB")).isEqualTo("Unable to allocate <size>, total-vm:<size>");
    assertThat(masker.mask("found 3 warnings in 2 files")).isEqualTo("found <num> warnings in <num> files");
    // localhost is the loopback address; ":::3000" is "::" and a port
    assertThat(masker.mask("Failed to connect to localhost port 8080")).isEqualTo("Failed to connect to <ip> port <num>");
    assertThat(masker.mask("listen EADDRINUSE: address already in use :::3000")).isEqualTo("listen EADDRINUSE: address already in use <hostport>");
    // a quoted name followed by ':' is a value unless it follows '{' or ',' (a JSON or dict key)
    assertThat(masker.mask("on deployments.apps \"api\": the object has been modified"))
        .isEqualTo("on deployments.apps <quoted>: the object has been modified");
    assertThat(masker.mask("{\"error\": {'type': 'overloaded_error'}}")).isEqualTo("{\"error\": {'type': <quoted>}}");
    // a quoted sentence stays (its variables masked); a quoted value is masked
    assertThat(masker.mask("thread 'main' panicked at 'attempt to subtract with overflow', src/budget.rs:44:9"))
        .isEqualTo("thread <quoted> panicked at 'attempt to subtract with overflow', src/budget.rs:<num>:<num>");
    // a package at a version is not an e-mail address
    assertThat(masker.mask("No matching version found for react-dom@19.9.0 (ops@example.com)"))
        .isEqualTo("No matching version found for react-dom@<num>.<num>.<num> (<email>)");
  }

  @Test
  void namesFromCodeAndNamesAfterANamingNounMayVaryButProseWordsMayNot() {
    Classifier classifier = classifier();
    List<String> operations = List.of(
        "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
        "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
        "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied");
    assertThat(operations.stream().map(m -> classifier.classify(FailureInput.ofMessage(m)).fingerprint()).distinct()).hasSize(1);
    List<String> containers = List.of(
        "Container api was OOMKilled (exit code 137), restarting",
        "Container worker was OOMKilled (exit code 137), restarting");
    assertThat(containers.stream().map(m -> classifier.classify(FailureInput.ofMessage(m)).fingerprint()).distinct()).hasSize(1);

    List<String> distinct = List.of(
        "0/3 nodes are available: 3 Insufficient cpu.",
        "0/3 nodes are available: 3 Insufficient memory.",
        "ERROR: canceling statement due to statement timeout",
        "ERROR: canceling statement due to lock timeout",
        "Rate limit reached for gpt-4o on tokens per min (TPM)",
        "Rate limit reached for gpt-4o on requests per min (RPM)");
    assertThat(distinct.stream().map(m -> classifier.classify(FailureInput.ofMessage(m)).fingerprint()).distinct())
        .hasSize(distinct.size());
  }

  @Test
  void theSameErrorWithOtherHostsPortsIdsPathsAndTimingsHasOneFingerprint() {
    Classifier classifier = classifier();
    List<String> variants = List.of(
        "Error: connect ECONNREFUSED 10.0.0.7:5432",
        "Error: connect ECONNREFUSED 172.16.4.21:6379",
        "Error: connect ECONNREFUSED db.internal:5432",
        "Error: connect ECONNREFUSED [::1]:5432");
    assertThat(variants.stream().map(m -> classifier.classify(FailureInput.ofMessage(m)).fingerprint()).distinct()).hasSize(1);

    List<String> timeouts = List.of(
        "Request 7b1c2d3e-0000-4a4a-9b9b-123456789abc to https://billing.acme.io/v2/charge timed out after 30s",
        "Request 0e9d8c7b-1111-4b4b-8c8c-abcdef012345 to https://billing.acme.io/v2/refund/981 timed out after 2500ms",
        "Request 11111111-2222-4333-8444-555555555555 to http://10.1.2.3:8080/charge timed out after 1m30s");
    assertThat(timeouts.stream().map(m -> classifier.classify(FailureInput.ofMessage(m)).fingerprint()).distinct()).hasSize(1);

    List<String> pods = List.of(
        "readiness gate not satisfied for pod web-7f9c8d6b5-xk2lp on node gke-pool-a1",
        "readiness gate not satisfied for pod web-7f9c8d6b5-p9r4t on node gke-pool-b7",
        "readiness gate not satisfied for pod web-55d9c7b8f4-z8q2w on node gke-pool-c3");
    assertThat(pods.stream().map(m -> classifier.classify(FailureInput.ofMessage(m)).fingerprint()).distinct()).hasSize(1);
  }

  @Test
  void distinctErrorsHaveDistinctFingerprints() {
    Classifier classifier = classifier();
    List<String> distinct = List.of(
        "Error: connect ECONNREFUSED 10.0.0.7:5432",
        "Error: connect ETIMEDOUT 10.0.0.7:5432",
        "Error: connect EHOSTUNREACH 10.0.0.7:5432",
        "HTTP 503 Service Unavailable from https://api.acme.io/v1/orders",
        "HTTP 404 Not Found from https://api.acme.io/v1/orders",
        "ERROR: duplicate key value violates unique constraint \"orders_pkey\"",
        "ERROR: deadlock detected",
        "readiness gate not satisfied for pod web-7f9c8d6b5-xk2lp on node gke-pool-a1",
        "java.net.SocketTimeoutException: Read timed out",
        "java.net.SocketTimeoutException: Connect timed out",
        "Process exited with code 137",
        "Process exited with code 1");
    Map<String, List<String>> byFingerprint = distinct.stream()
        .collect(Collectors.groupingBy(m -> classifier.classify(FailureInput.ofMessage(m)).fingerprint()));

    assertThat(byFingerprint).hasSize(distinct.size());
  }

  @Test
  void stackTracesOfTheSameErrorAtTheSamePlaceMatchAndOtherThrowSitesDiffer() {
    Classifier classifier = classifier();
    String trace1 = """
        java.lang.IllegalStateException: order 4711 already settled
        \tat com.acme.billing.Settlement.settle(Settlement.java:88)
        \tat com.acme.billing.Worker.run(Worker.java:31)
        \tat java.base/java.lang.Thread.run(Thread.java:833)""";
    String trace2 = """
        java.lang.IllegalStateException: order 9 already settled
        \tat com.acme.billing.Settlement.settle(Settlement.java:91)
        \tat com.acme.billing.Worker.run(Worker.java:35)
        \tat java.base/java.lang.Thread.run(Thread.java:833)""";
    String elsewhere = """
        java.lang.IllegalStateException: order 4711 already settled
        \tat com.acme.billing.Refunds.refund(Refunds.java:12)
        \tat com.acme.billing.Worker.run(Worker.java:31)
        \tat java.base/java.lang.Thread.run(Thread.java:833)""";

    Verdict a = classifier.classify(FailureInput.builder("order 4711 already settled").stackTrace(trace1).build());
    Verdict b = classifier.classify(FailureInput.builder("order 9 already settled").stackTrace(trace2).build());
    Verdict c = classifier.classify(FailureInput.builder("order 4711 already settled").stackTrace(elsewhere).build());

    assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
    assertThat(c.fingerprint()).isNotEqualTo(a.fingerprint());
    assertThat(a.ruleId()).isEqualTo("jvm-illegal-state");
  }

  @Test
  void pythonAndNodeStackTracesContributeTheirInAppFrames() {
    StackTraceSummary py = StackTraceSummary.parse("""
        Traceback (most recent call last):
          File "/app/jobs/sync.py", line 41, in main
            run()
          File "/usr/lib/python3.11/site-packages/requests/api.py", line 73, in get
            return request("get", url, params=params, **kwargs)
        KeyError: 'customer_id'""");
    assertThat(py.exceptionChain()).containsExactly("KeyError");
    assertThat(py.inAppFrames()).containsExactly("sync.py:main");

    StackTraceSummary node = StackTraceSummary.parse("""
        TypeError: Cannot read properties of undefined (reading 'id')
            at handler (/app/src/routes/orders.js:27:19)
            at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)""");
    assertThat(node.exceptionChain()).containsExactly("TypeError");
    assertThat(node.inAppFrames()).containsExactly("handler@orders.js");
  }

  @Test
  void aRestoredMinerGivesTheSameFingerprintsAsTheOneThatLearned() {
    List<String> messages = List.of(
        "readiness gate not satisfied for pod web-7f9c8d6b5-xk2lp on node gke-pool-a1",
        "readiness gate not satisfied for pod web-7f9c8d6b5-p9r4t on node gke-pool-b7",
        "Error: connect ECONNREFUSED 10.0.0.7:5432",
        "job 42 stuck in phase Pending on node ip-10-0-1-23",
        "job 43 stuck in phase Pending on node ip-10-0-9-77",
        "quota for project alpha is exhausted");
    Classifier first = classifier();
    List<String> before = messages.stream().map(m -> first.classify(FailureInput.ofMessage(m)).fingerprint()).toList();

    List<Map<String, Object>> persisted = first.miner().export().stream().map(LearnedTemplate::toMap).toList();
    TemplateMiner restored = new TemplateMiner();
    restored.restore(persisted.stream().map(LearnedTemplate::fromMap).toList());
    Classifier second = Classifier.builder(RuleCatalog.builtin()).miner(restored).build();
    // a later variant arrives first after the restart: it must still join the learned cluster
    String lateVariant = "readiness gate not satisfied for pod web-55d9c7b8f4-z8q2w on node gke-pool-c3";
    assertThat(second.classify(FailureInput.ofMessage(lateVariant)).fingerprint()).isEqualTo(before.get(0));

    List<String> after = messages.stream().map(m -> second.classify(FailureInput.ofMessage(m)).fingerprint()).toList();
    assertThat(after).isEqualTo(before);
    assertThat(restored.size()).isEqualTo(first.miner().size());
  }

  @Test
  void theMinerKeepsAtMostItsCapOfClustersEvictingTheLeastRecentlyUsed() {
    TemplateMiner miner = new TemplateMiner(new TemplateMiner.Config(3, 0.6, 64, 128));
    TemplateMiner.Match kept = miner.match("", "disk quota exceeded for volume <quoted>");
    for (int i = 0; i < 10_000; i++) {
      miner.match("", "distinct" + Integer.toString(i, 26).replaceAll("[0-9]", "x") + " failure in stage alpha");
      if (i % 16 == 0) {
        assertThat(miner.match("", "disk quota exceeded for volume <quoted>")).isEqualTo(kept); // in use: never evicted
      }
    }
    assertThat(miner.size()).isLessThanOrEqualTo(64);
    assertThat(miner.match("", "disk quota exceeded for volume <quoted>")).isEqualTo(kept);
    // an evicted template that comes back gets its old id again
    String first = "distinct" + Integer.toString(0, 26).replaceAll("[0-9]", "x") + " failure in stage alpha";
    assertThat(miner.match("", first).clusterId()).isEqualTo(TemplateMiner.clusterId("", first));
  }

  @Test
  void fingerprintsAreSixteenHexDigits() {
    Verdict v = classifier().classify(FailureInput.ofMessage("anything at all"));

    assertThat(v.fingerprint()).matches("[0-9a-f]{16}");
  }
}
