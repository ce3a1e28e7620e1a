package dev.rebound.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTreeTest {

  private static final ConfigFiles FILES = path -> Map.of("/run/secrets/pd", "pd-key-123\n",
      "/run/secrets/slack", "https://hooks.slack.com/services/T/B/X").get(path);

  /** The issue's example, verbatim in shape. */
  static Map<String, Object> issueExample() {
    return Map.of(
        "receivers", List.of(
            Map.of("name", "team-slack", "slack", Map.of("url", "https://hooks.slack.com/services/T/B/secret")),
            Map.of("name", "oncall-pagerduty", "pagerduty", Map.of("routing-key-file", "/run/secrets/pd"))),
        "route", Map.of("receiver", "team-slack", "group-by", List.of("stage"), "group-wait", "30s",
            "group-interval", "5m", "repeat-interval", "4h",
            "routes", List.of(
                Map.of("matchers", List.of("kind=\"dead-letter\""), "receiver", "oncall-pagerduty", "continue", "true"),
                Map.of("receiver", "team-slack"))));
  }

  private static NotifierPolicy policy(Map<String, ?> section) {
    return NotifierPolicy.fromMap("notifier", section, FILES);
  }

  @Test
  void continueFansADeadLetterOutToPagerDutyAndSlack() {
    RoutingTree tree = policy(issueExample()).routing();

    List<RouteMatch> matches = tree.match(Map.of("kind", "dead-letter", "stage", "tests"));

    assertThat(matches).extracting(RouteMatch::receiver).containsExactly("oncall-pagerduty", "team-slack");
    assertThat(matches.get(0).groupKey()).isEqualTo("{}/{kind=\"dead-letter\"}:{stage=\"tests\"}");
    assertThat(matches.get(1).groupKey()).isEqualTo("{}/{}:{stage=\"tests\"}");
  }

  @Test
  void withoutContinueTheFirstMatchingChildWins() {
    RoutingTree tree = policy(issueExample()).routing();

    assertThat(tree.match(Map.of("kind", "circuit-open", "stage", "tests")))
        .extracting(RouteMatch::receiver).containsExactly("team-slack");
  }

  @Test
  void aRouteWithNoMatchingChildSendsToItself() {
    Map<String, Object> section = Map.of("receivers", List.of(Map.of("name", "a"), Map.of("name", "b")),
        "route", Map.of("receiver", "a", "routes", List.of(Map.of("matchers", List.of("team=\"db\""), "receiver", "b"))));
    RoutingTree tree = policy(section).routing();

    assertThat(tree.match(Map.of("team", "web"))).extracting(RouteMatch::receiver).containsExactly("a");
    assertThat(tree.match(Map.of("team", "db"))).extracting(RouteMatch::receiver).containsExactly("b");
  }

  @Test
  void childrenInheritTimingAndGroupingUnlessTheyOverrideIt() {
    Map<String, Object> section = Map.of("receivers", List.of(Map.of("name", "a")),
        "route", Map.of("receiver", "a", "group-by", List.of("stage"), "group-wait", "10s",
            "routes", List.of(Map.of("matchers", List.of("x=\"1\""), "repeat-interval", "1h"))));
    Route child = policy(section).routing().root().routes().get(0);

    assertThat(child.groupWait()).isEqualTo(Duration.ofSeconds(10));
    assertThat(child.groupInterval()).isEqualTo(Route.DEFAULT_GROUP_INTERVAL);
    assertThat(child.repeatInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(child.groupBy()).containsExactly("stage");
    assertThat(child.receiver()).isEqualTo("a");
  }

  @Test
  void alertmanagerDefaultsApplyWhenTheRootSaysNothing() {
    Route root = policy(Map.of("receivers", List.of(Map.of("name", "a")), "route", Map.of("receiver", "a")))
        .routing().root();

    assertThat(root.groupWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(root.groupInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(root.repeatInterval()).isEqualTo(Duration.ofHours(4));
  }

  @Test
  void groupByEllipsisGroupsByEveryLabel() {
    RoutingTree tree = policy(Map.of("receivers", List.of(Map.of("name", "a")),
        "route", Map.of("receiver", "a", "group-by", List.of("...")))).routing();

    RouteMatch m = tree.match(Map.of("kind", "x", "task", "t-1")).get(0);
    assertThat(m.groupLabels()).containsOnlyKeys("kind", "task");
  }

  @Test
  void matchersFollowAlertmanagerSemantics() {
    assertThat(LabelMatcher.parse("m", "stage=~\"test.*\"").matches(Map.of("stage", "tests"))).isTrue();
    assertThat(LabelMatcher.parse("m", "stage=~\"test\"").matches(Map.of("stage", "tests")))
        .as("regexes are anchored").isFalse();
    assertThat(LabelMatcher.parse("m", "stage!~\"build|deploy\"").matches(Map.of("stage", "tests"))).isTrue();
    assertThat(LabelMatcher.parse("m", "team!=\"db\"").matches(Map.of())).isTrue();
    assertThat(LabelMatcher.parse("m", "team=\"\"").matches(Map.of())).as("a missing label is empty").isTrue();
    assertThat(LabelMatcher.parse("m", "team = web").matches(Map.of("team", "web"))).isTrue();
    assertThat(LabelMatcher.parse("m", "msg=\"say \\\"hi\\\"\"").value()).isEqualTo("say \"hi\"");
  }

  @Test
  void aBadMatcherIsReportedWithItsKeyPath() {
    Map<String, Object> section = Map.of("receivers", List.of(Map.of("name", "a")),
        "route", Map.of("receiver", "a", "routes", List.of(Map.of("matchers", List.of("kind=\"x\"", "oops")))));

    assertThatThrownBy(() -> policy(section)).isInstanceOfSatisfying(PolicyException.class,
        e -> assertThat(e.field()).isEqualTo("notifier.route.routes[0].matchers[1]"));
  }

  @Test
  void anUnknownReceiverOrKeyIsReportedWithItsKeyPath() {
    assertThatThrownBy(() -> policy(Map.of("receivers", List.of(Map.of("name", "a")),
        "route", Map.of("receiver", "a", "routes", List.of(Map.of("receiver", "nobody"))))))
        .isInstanceOfSatisfying(PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("notifier.route.routes[0].receiver"));
    assertThatThrownBy(() -> policy(Map.of("receivers", List.of(Map.of("name", "a")),
        "route", Map.of("receiver", "a", "group_wiat", "1s"))))
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("notifier.route.group_wiat"));
    assertThatThrownBy(() -> policy(Map.of("receivers", List.of(Map.of("name", "a")),
        "route", Map.of("receiver", "a", "group-wait", "soon"))))
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("notifier.route.group-wait"));
  }

  @Test
  void secretsComeInlineOrFromFilesAndNeverShowInText() {
    NotifierPolicy p = policy(issueExample());
    ChannelTarget.PagerDuty pd = (ChannelTarget.PagerDuty) p.routing().receiver("oncall-pagerduty").targets().get(0);
    ChannelTarget.Slack slack = (ChannelTarget.Slack) p.routing().receiver("team-slack").targets().get(0);

    assertThat(pd.routingKey().reveal()).isEqualTo("pd-key-123");
    assertThat(pd.url()).isEqualTo("https://events.pagerduty.com/v2/enqueue");
    assertThat(pd.toString()).doesNotContain("pd-key-123").contains("/run/secrets/pd");
    assertThat(slack.toString() + p.routing().receivers()).doesNotContain("hooks.slack.com").doesNotContain("pd-key");
    assertThat(slack.endpointKey()).startsWith("slack:").doesNotContain("hooks.slack.com");
  }

  @Test
  void aSecretGivenBothInlineAndAsAFileIsRefused() {
    assertThatThrownBy(() -> policy(Map.of("receivers", List.of(Map.of("name", "s",
        "slack", Map.of("url", "https://x", "url-file", "/run/secrets/slack"))), "route", Map.of("receiver", "s"))))
        .isInstanceOfSatisfying(PolicyException.class,
            e -> assertThat(e.field()).isEqualTo("notifier.receivers[0].slack.url"));
  }

  @Test
  void aMuteIntervalSilencesItsRouteAndAnActiveIntervalOnlyAllowsItsTimes() {
    Map<String, Object> section = Map.of(
        "receivers", List.of(Map.of("name", "a")),
        "time-intervals", List.of(
            Map.of("name", "weekends", "time-intervals", List.of(Map.of("weekdays", List.of("saturday:sunday")))),
            Map.of("name", "office", "time-intervals", List.of(Map.of("weekdays", List.of("monday:friday"),
                "times", List.of(Map.of("start-time", "09:00", "end-time", "17:00")), "location", "Europe/Berlin")))),
        "route", Map.of("receiver", "a", "routes", List.of(
            Map.of("matchers", List.of("team=\"web\""), "mute-time-intervals", List.of("weekends")),
            Map.of("matchers", List.of("team=\"db\""), "active-time-intervals", List.of("office")))));
    RoutingTree tree = policy(section).routing();
    Route web = tree.root().routes().get(0);
    Route db = tree.root().routes().get(1);
    Instant saturday = Instant.parse("2025-03-01T12:00:00Z");
    Instant mondayNineBerlin = Instant.parse("2025-03-03T08:00:00Z"); // 09:00 CET
    Instant mondayFiveBerlin = Instant.parse("2025-03-03T16:00:00Z"); // 17:00 CET, end is exclusive

    assertThat(tree.muted(web, saturday)).isTrue();
    assertThat(tree.muted(web, mondayNineBerlin)).isFalse();
    assertThat(tree.muted(db, mondayNineBerlin)).isFalse();
    assertThat(tree.muted(db, mondayFiveBerlin)).isTrue();
    assertThat(tree.muted(db, saturday)).isTrue();
  }

  @Test
  void daysOfMonthCountFromTheEndWhenNegative() {
    TimeInterval lastThree = TimeInterval.fromMap("t", Map.of("days-of-month", List.of("-3:-1"), "months",
        List.of("february"), "years", List.of("2025")));

    assertThat(lastThree.contains(Instant.parse("2025-02-26T00:00:00Z"))).isTrue();
    assertThat(lastThree.contains(Instant.parse("2025-02-25T23:59:00Z"))).isFalse();
    assertThat(lastThree.contains(Instant.parse("2026-02-27T00:00:00Z"))).isFalse();
    assertThatThrownBy(() -> TimeInterval.fromMap("t", Map.of("weekdays", List.of("funday"))))
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("t.weekdays[0]"));
  }

  @Test
  void alertmanagerCompoundDurationsAreAccepted() {
    assertThat(ConfigMap.parseDuration("k", "1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(ConfigMap.parseDuration("k", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ConfigMap.parseDuration("k", "0")).isEqualTo(Duration.ZERO);
  }
}
