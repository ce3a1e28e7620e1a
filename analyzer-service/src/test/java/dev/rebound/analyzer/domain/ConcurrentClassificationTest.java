package dev.rebound.analyzer.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrentClassificationTest {

  @Test
  void oneClassifierSharedByThreadsGivesTheSameVerdictsAsOneThread() throws Exception {
    List<String> messages = LabeledCorpusTest.load().stream().map(LabeledCorpusTest.Labeled::message).toList();
    Classifier alone = Classifier.builder(RuleCatalog.builtin()).build();
    List<String> expected = messages.stream().map(m -> summary(alone.classify(FailureInput.ofMessage(m)))).toList();

    Classifier shared = Classifier.builder(RuleCatalog.builtin()).build();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<String>>> runs = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        runs.add(pool.submit(() -> messages.stream().map(m -> summary(shared.classify(FailureInput.ofMessage(m)))).toList()));
      }
      for (Future<List<String>> run : runs) {
        assertThat(run.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // what must not depend on threads; fingerprints of Drain-merged variants may depend on arrival order
  private static String summary(Verdict v) {
    return v.category() + "/" + v.transientFailure() + "/" + v.ruleId() + "/" + v.confidence() + "/" + v.redactedMessage();
  }
}
