/**
 * The analyzer's domain core: plain Java, no Vert.x, no I/O, time injected.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link dev.rebound.analyzer.domain.Classifier} — {@code classify(FailureInput[, FingerprintHistory]) -> Verdict};
 *       built with {@code Classifier.builder(RuleCatalog).miner(TemplateMiner).clock(Clock).build()}.</li>
 *   <li>{@link dev.rebound.analyzer.domain.RuleCatalog} — the YAML rule catalog: {@code builtin()},
 *       {@code builtinAnd(Path userFile)}, {@code load(List<Source>)}; broken rules are reported as
 *       {@link dev.rebound.analyzer.domain.RuleProblem}s and skipped.</li>
 *   <li>{@link dev.rebound.analyzer.domain.Redactor} — {@code redact(String)}: secrets become {@code <redacted:KIND>}.</li>
 *   <li>{@link dev.rebound.analyzer.domain.Fingerprinter} — masking ({@link dev.rebound.analyzer.domain.TemplateMasker}),
 *       Drain-style clustering ({@link dev.rebound.analyzer.domain.TemplateMiner}) and stack-trace frames
 *       ({@link dev.rebound.analyzer.domain.StackTraceSummary}) → {@link dev.rebound.analyzer.domain.Fingerprint}.</li>
 *   <li>{@link dev.rebound.analyzer.domain.RetryAfterExtractor} — retry-after hints in milliseconds.</li>
 * </ul>
 *
 * <h2>Learned state</h2>
 * The only mutable state is the {@link dev.rebound.analyzer.domain.TemplateMiner}'s clusters. Persist
 * {@code miner.export()} ({@link dev.rebound.analyzer.domain.LearnedTemplate} records, or their
 * {@code toMap()} form) and, after a restart, call {@code miner.restore(list)} on a fresh miner before
 * handing it to {@code Classifier.builder(...).miner(miner)}: the same messages then get the same fingerprints.
 *
 * <h2>Speed</h2>
 * One Aho–Corasick pass finds the required literals of every rule; structured matchers are hash
 * lookups; only candidate rules run regexes, each bounded by a read budget
 * ({@link dev.rebound.analyzer.domain.Classifier.Builder#regexBudget(long, int)}). See docs/benchmarks.md.
 */
package dev.rebound.analyzer.domain;

import dev.rebound.common.text.Redactor;
