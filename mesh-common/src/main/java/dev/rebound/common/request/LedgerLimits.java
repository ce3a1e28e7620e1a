package dev.rebound.common.request;

/**
 * The ledger's configured bounds that request validation needs.
 *
 * @param payloadBytes   largest payload, result or checkpoint state, in UTF-8 bytes
 * @param maxLeaseMs     longest lease a claim or heartbeat may ask for
 * @param maxClaimBatch  most tasks one claim may take
 * @param maxWaitMs      longest a claim may wait for work
 * @param maxBatchItems  most items one batch request (enqueue, complete, heartbeat many) may carry
 * @param maxBatchBytes  most payload and result bytes one batch request may carry, all items together
 */
public record LedgerLimits(int payloadBytes, long maxLeaseMs, int maxClaimBatch, long maxWaitMs, int maxBatchItems,
                           long maxBatchBytes) {
  public static final int DEFAULT_BATCH_ITEMS = 1000;
  public static final long DEFAULT_BATCH_BYTES = 8L * 1024 * 1024;

  /** With the default batch bounds. */
  public LedgerLimits(int payloadBytes, long maxLeaseMs, int maxClaimBatch, long maxWaitMs) {
    this(payloadBytes, maxLeaseMs, maxClaimBatch, maxWaitMs, DEFAULT_BATCH_ITEMS, DEFAULT_BATCH_BYTES);
  }
}
