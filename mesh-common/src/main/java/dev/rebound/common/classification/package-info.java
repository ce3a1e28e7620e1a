/**
 * The mesh's classification vocabulary as plain Java enums (no Vert.x): what kind of failure it is
 * ({@link dev.rebound.common.classification.Category}), how loudly to escalate it
 * ({@link dev.rebound.common.classification.Severity}) and what the retry service decided
 * ({@link dev.rebound.common.classification.DecisionAction}). The services' {@code domain} packages
 * may use them; the messages in {@code dev.rebound.common.message} carry them typed.
 */
package dev.rebound.common.classification;
