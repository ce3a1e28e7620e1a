package dev.rebound.common.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ConfigMapTest {

  private static final List<String> KNOWN = List.of("maxRetries", "window", "ratio", "enabled", "name", "delays");

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("250ms", Duration.ofMillis(250)),
        Arguments.of("30s", Duration.ofSeconds(30)),
        Arguments.of("30 s", Duration.ofSeconds(30)),
        Arguments.of("5m", Duration.ofMinutes(5)),
        Arguments.of("2H", Duration.ofHours(2)),
        Arguments.of("1d", Duration.ofDays(1)),
        Arguments.of("1w", Duration.ofDays(7)),
        Arguments.of("1y", Duration.ofDays(365)),
        Arguments.of("1h30m", Duration.ofMinutes(90)),
        Arguments.of("1h 30m 15s", Duration.ofSeconds(5415)),
        Arguments.of("1m500ms", Duration.ofMillis(60_500)),
        Arguments.of("1500", Duration.ofMillis(1500)),
        Arguments.of("0", Duration.ZERO),
        Arguments.of(1500, Duration.ofMillis(1500)),
        Arguments.of(2.0, Duration.ofMillis(2)));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @MethodSource("durations")
  void durationsAreReadWithUnitsCompoundsOrAsMilliseconds(Object written, Duration expected) {
    assertThat(ConfigMap.parseDuration("k", written)).isEqualTo(expected);
    assertThat(read(Map.of("window", written)).duration("window", null)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} is refused")
  @MethodSource("badDurations")
  void aMalformedDurationIsRefusedNamingTheKey(Object written) {
    assertThatThrownBy(() -> ConfigMap.parseDuration("a.b", written)).isInstanceOfSatisfying(PolicyException.class,
        e -> assertThat(e.getMessage()).startsWith("a.b: must be a duration such as"));
  }

  static Stream<Object> badDurations() {
    return Stream.of("30 seconds", "soon", "", "m", "1.5s", "-5s", -5, 2.5, "30m1h", "1m1m", "1s2", "1h-30m",
        "99999999999999y", Map.of("s", 1), List.of("1s"));
  }

  @Test
  void formatWritesTheShortestExactUnitThatParsesBack() {
    for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(1500), Duration.ofSeconds(30), Duration.ofMinutes(90),
        Duration.ofHours(2), Duration.ofDays(3))) {
      assertThat(ConfigMap.parseDuration("k", ConfigMap.format(d))).isEqualTo(d);
    }
    assertThat(ConfigMap.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(ConfigMap.format(Duration.ofDays(1))).isEqualTo("1d");
    assertThat(ConfigMap.format(Duration.ZERO)).isEqualTo("0ms");
  }

  @Test
  void keysMayBeCamelKebabOrSnakeCase() {
    for (String key : List.of("maxRetries", "max-retries", "max_retries")) {
      assertThat(read(Map.of(key, "3")).integer("maxRetries", 0)).isEqualTo(3);
    }
  }

  @Test
  void anErrorNamesTheFullKeyPathAsTheConfigurationSpelledIt() {
    assertRefused(() -> ConfigMap.of("retry.abort", Map.of("max_retries", "many"), KNOWN).integer("maxRetries", 0),
        "retry.abort.max_retries", "must be a whole number, was 'many'");
    assertRefused(() -> ConfigMap.of("", Map.of("max-retries", "x"), KNOWN).integer("maxRetries", 0),
        "max-retries", "must be a whole number");
    ConfigMap m = ConfigMap.of("root", Map.of("window_size", "1"), List.of("windowSize", "maxRetries"));
    assertThat(m.key("windowSize")).isEqualTo("root.window_size");
    assertThat(m.key("window-size")).isEqualTo("root.window_size");
    assertThat(m.key("maxRetries")).as("absent: kebab-case").isEqualTo("root.max-retries");
    assertThat(m.path()).isEqualTo("root");
  }

  @Test
  void anUnknownKeyIsRefusedListingTheKnownOnes() {
    assertRefused(() -> ConfigMap.of("p", Map.of("colour", "red"), KNOWN), "p.colour",
        "unknown field; known fields: maxRetries, window, ratio, enabled, name, delays");
  }

  @Test
  void aFieldGivenTwiceInTwoSpellingsIsRefused() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("maxRetries", 2);
    raw.put("max-retries", 3);
    assertRefused(() -> ConfigMap.of("p", raw, KNOWN), "p.max-retries", "given twice (as maxRetries and max-retries)");
  }

  @Test
  void somethingOtherThanAMapOrAStringKeyIsRefused() {
    assertRefused(() -> ConfigMap.of("p", "often", KNOWN), "p", "must be a map of fields (maxRetries, window");
    assertRefused(() -> ConfigMap.of("", List.of(), KNOWN), "(root)", "must be a map of fields");
    assertRefused(() -> ConfigMap.of("p", Map.of(7, "x"), KNOWN), "p.7", "keys must be strings");
  }

  @Test
  void aKeyWithoutAValueIsRefusedUnlessNullsMeanAbsent() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("window", null);
    assertRefused(() -> ConfigMap.of("p", raw, KNOWN), "p.window", "must have a value");

    ConfigMap lenient = ConfigMap.of("p", raw, KNOWN, ConfigMap.Nulls.ABSENT);
    assertThat(lenient.has("window")).isFalse();
    assertThat(lenient.duration("window", Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(9));
    assertThat(lenient.key("window")).isEqualTo("p.window");
  }

  @Test
  void absentFieldsTakeTheirFallback() {
    ConfigMap m = read(Map.of());
    assertThat(m.has("window")).isFalse();
    assertThat(m.raw("window")).isNull();
    assertThat(m.integer("maxRetries", 4)).isEqualTo(4);
    assertThat(m.decimal("ratio", 0.5)).isEqualTo(0.5);
    assertThat(m.ratio("ratio", 0.25)).isEqualTo(0.25);
    assertThat(m.bool("enabled", true)).isTrue();
    assertThat(m.text("name", "n")).isEqualTo("n");
    assertThat(m.strings("name")).isEmpty();
    assertThat(m.list("delays")).isEmpty();
    assertThat(m.map("name")).isNull();
    assertThat(m.durations("delays", null)).isNull();
  }

  @Test
  void scalarsAreReadFromTheStringsYamlHandsOver() {
    ConfigMap m = read(Map.of("maxRetries", " 3 ", "window", "2.5", "enabled", "Yes", "name", 42));
    assertThat(m.integer("maxRetries", 0)).isEqualTo(3);
    assertThat(m.decimal("window", 0)).isEqualTo(2.5);
    assertThat(m.bool("enabled", false)).isTrue();
    assertThat(m.text("name", null)).as("a number as text").isEqualTo("42");
    for (String yes : List.of("true", "on", "1", "YES")) {
      assertThat(read(Map.of("enabled", yes)).bool("enabled", false)).isTrue();
    }
    for (String no : List.of("false", "off", "0", "No")) {
      assertThat(read(Map.of("enabled", no)).bool("enabled", true)).isFalse();
    }
    assertThat(read(Map.of("maxRetries", 4.0)).integer("maxRetries", 0)).isEqualTo(4);
  }

  @Test
  void aBadScalarIsRefusedSayingWhatWasExpected() {
    assertRefused(() -> read(Map.of("maxRetries", 2.5)).integer("maxRetries", 0), "maxRetries", "must be a whole number");
    assertRefused(() -> read(Map.of("maxRetries", 3_000_000_000L)).integer("maxRetries", 0), "maxRetries",
        "must be a whole number");
    assertRefused(() -> read(Map.of("maxRetries", "2.0")).integer("maxRetries", 0), "maxRetries", "whole number");
    assertRefused(() -> read(Map.of("ratio", "fast")).decimal("ratio", 0), "ratio", "must be a number, was 'fast'");
    assertRefused(() -> read(Map.of("ratio", "NaN")).decimal("ratio", 0), "ratio", "must be a number");
    assertRefused(() -> read(Map.of("ratio", "50%")).decimal("ratio", 0), "ratio", "must be a number");
    assertRefused(() -> read(Map.of("enabled", "maybe")).bool("enabled", false), "enabled", "must be true or false");
    assertRefused(() -> read(Map.of("name", Map.of())).text("name", null), "name", "must be a string, was a map");
    assertRefused(() -> read(Map.of("name", " ")).requiredText("name"), "name", "is required");
    assertRefused(() -> read(Map.of("name", "x")).map("name"), "name", "must be a map");
    assertRefused(() -> read(Map.of("name", "x")).list("name"), "name", "must be a list");
  }

  @Test
  void aRatioMayBeAPercentage() {
    assertThat(read(Map.of("ratio", "50%")).ratio("ratio", 0)).isEqualTo(0.5);
    assertThat(read(Map.of("ratio", "12.5 %")).ratio("ratio", 0)).isEqualTo(0.125);
    assertThat(read(Map.of("ratio", "0.4")).ratio("ratio", 0)).isEqualTo(0.4);
    assertThat(read(Map.of("ratio", 0.4)).ratio("ratio", 0)).isEqualTo(0.4);
    assertRefused(() -> read(Map.of("ratio", "lots%")).ratio("ratio", 0), "ratio", "must be a number or a percentage");
  }

  enum Mode { TIME_BASED, COUNT_BASED }

  @Test
  void anEnumIsReadInAnyCaseWithDashesOrUnderscores() {
    assertThat(read(Map.of("name", "time-based")).enumValue("name", Mode.class, null)).isEqualTo(Mode.TIME_BASED);
    assertThat(read(Map.of("name", "COUNT_BASED")).enumValue("name", Mode.class, null)).isEqualTo(Mode.COUNT_BASED);
    assertRefused(() -> read(Map.of("name", "sometimes")).enumValue("name", Mode.class, null), "name",
        "must be one of time-based, count-based, was 'sometimes'");
  }

  @Test
  void listsMayBeWrittenAsCommaSeparatedStrings() {
    assertThat(read(Map.of("name", "a, b,,c")).strings("name")).containsExactly("a", "b", "c");
    assertThat(read(Map.of("name", List.of("a", 1))).strings("name")).containsExactly("a", "1");
    assertRefused(() -> read(Map.of("name", Arrays.asList("a", null))).strings("name"), "name[1]",
        "must be a single value, was null");
    assertThat(read(Map.of("delays", "1s, 2m")).durations("delays", null))
        .containsExactly(Duration.ofSeconds(1), Duration.ofMinutes(2));
    assertThat(read(Map.of("delays", List.of("1s", 500))).durations("delays", null))
        .containsExactly(Duration.ofSeconds(1), Duration.ofMillis(500));
    assertRefused(() -> read(Map.of("delays", List.of("1s", "soon"))).durations("delays", null), "delays[1]",
        "must be a duration");
  }

  private static ConfigMap read(Map<String, ?> raw) {
    return ConfigMap.of("", raw, KNOWN);
  }

  private static void assertRefused(Runnable call, String field, String problem) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(PolicyException.class, e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.getMessage()).startsWith(field + ": ").contains(problem);
    });
  }
}
