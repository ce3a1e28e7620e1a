package dev.rebound.common.classification;

/** What kind of failure a verdict describes; drives routing, retry policy and dashboards. */
public enum Category {
  INFRASTRUCTURE,
  NETWORK,
  RATE_LIMIT,
  RESOURCE_EXHAUSTION,
  CONFIGURATION,
  EXTERNAL_DEPENDENCY,
  CODE_QUALITY,
  CANCELLED,
  UNKNOWN
}
