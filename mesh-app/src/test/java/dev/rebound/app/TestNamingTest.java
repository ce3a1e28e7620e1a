package dev.rebound.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One test naming style across the repository: a test's name is a sentence in camelCase
 * ({@code aFailureForAnOldAttemptIsRefused}), so the test list reads as the documentation of
 * behaviour. Reads every module's test sources.
 */
class TestNamingTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern TEST_METHOD = Pattern.compile(
      "@(?:Test|ParameterizedTest|RepeatedTest|TestFactory)\\b[^;{]*?\\bvoid\\s+(\\w+)\\s*\\(", Pattern.DOTALL);
  private static final Pattern SENTENCE = Pattern.compile("[a-z][a-z0-9]*(?:[A-Z0-9][a-z0-9]*)+");

  @Test
  void everyTestInEveryModuleIsNamedAsACamelCaseSentence() throws IOException {
    List<String> offenders = new ArrayList<>();
    int tests = 0;
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path file : files.filter(TestNamingTest::isTestSource).toList()) {
        Matcher m = TEST_METHOD.matcher(Files.readString(file));
        while (m.find()) {
          tests++;
          String name = m.group(1);
          if (!SENTENCE.matcher(name).matches() || name.startsWith("test")) {
            offenders.add(ROOT.relativize(file) + ": " + name);
          }
        }
      }
    }
    assertThat(tests).as("tests found under " + ROOT.toAbsolutePath().normalize()).isGreaterThan(100);
    assertThat(offenders).as("test methods not named as a camelCase sentence").isEmpty();
  }

  private static boolean isTestSource(Path p) {
    String s = p.toString().replace('\\', '/');
    return s.endsWith(".java") && s.contains("/src/test/java/") && !s.contains("/target/");
  }
}
