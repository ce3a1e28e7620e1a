/**
 * One record per ledger and analyzer operation: {@code fromJson} parses untrusted JSON, validates every
 * field (the same codes and messages on HTTP and the event bus) and refuses unknown fields by name;
 * {@code toJson} is what a client sends. Limits that are a service's configuration (payload bytes,
 * lease and wait bounds) come in as {@link dev.rebound.common.request.LedgerLimits}.
 */
package dev.rebound.common.request;
