package dev.rebound.client;

import java.util.Set;

/**
 * A worker at a glance.
 *
 * @param claiming  a claim (possibly a long poll) is under way
 * @param pausedBy  why it does not claim: {@code stage:<stage>} (its stage's circuit is open),
 *                  {@code resources} (the {@link ResourceGuard} tripped), {@code stopping}
 * @param leaseLost tasks whose lease was lost: their outcome was not sent
 * @param claimError why the last claim failed (the worker backs off and tries again), or null
 * @param overloadedResends outcomes (completions, failure reports) sent again after the ledger refused them as
 *                  overloaded (429: nothing written), after its {@code Retry-After}
 */
public record WorkerStatus(String worker, String stage, boolean claiming, int inFlight, Set<String> pausedBy,
    long completed, long failed, long leaseLost, String claimError, long overloadedResends) {
}
