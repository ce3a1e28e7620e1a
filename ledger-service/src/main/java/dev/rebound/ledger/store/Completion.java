package dev.rebound.ledger.store;

import dev.rebound.common.service.Origin;
import java.util.UUID;

/** A lease holder's completion; {@code resultJson} is the result's JSON text (or null). */
public record Completion(UUID taskId, UUID leaseToken, String resultJson, Origin origin) {
}
