package dev.rebound.notifier.domain;

import java.util.Locale;

/** The kinds of receiver endpoint. */
public enum Channel {
  SLACK, PAGERDUTY, TEAMS, EMAIL, WEBHOOK;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
