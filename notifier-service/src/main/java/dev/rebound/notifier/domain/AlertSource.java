package dev.rebound.notifier.domain;

/** Where an alert came from: it decides how the dedup key was made and what resolves the alert. */
public enum AlertSource {
  /** Rebound's own services, on {@code rebound.notifier.alerts}. */
  REBOUND,
  /** {@code POST /v1/alerts}. */
  API,
  /** Prometheus (or anything speaking Alertmanager's API v2) on {@code POST /api/v2/alerts}. */
  ALERTMANAGER
}
