package dev.rebound.common.request;

/**
 * The ledger's configured bounds that request validation needs.
 *
 * @param payloadBytes  largest payload, result or checkpoint state, in UTF-8 bytes
 * @param maxLeaseMs    longest lease a claim or heartbeat may ask for
 * @param maxClaimBatch most tasks one claim may take
 * @param maxWaitMs     longest a claim may wait for work
 */
public record LedgerLimits(int payloadBytes, long maxLeaseMs, int maxClaimBatch, long maxWaitMs) {
}
