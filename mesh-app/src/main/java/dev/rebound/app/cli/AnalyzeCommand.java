package dev.rebound.app.cli;

import dev.rebound.analyzer.VerdictJson;
import dev.rebound.analyzer.domain.Classifier;
import dev.rebound.analyzer.domain.RuleCatalog;
import dev.rebound.analyzer.domain.RuleProblem;
import dev.rebound.analyzer.domain.TemplateMiner;
import dev.rebound.analyzer.domain.Verdict;
import dev.rebound.common.JsonFields;
import dev.rebound.common.JsonText;
import dev.rebound.common.text.TextBuffer;
import dev.rebound.common.ReboundException;
import dev.rebound.common.request.ClassifyRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rebound analyze}: offline classification. Reads failure messages, one per line, from stdin
 * (or {@code --input}) and writes exactly one JSON line per input line: fingerprint (the template), signature (the underlying error), template,
 * category, transient, confidence, severity, ruleId, rootCause, recommendations, retryAfterMs (when
 * hinted) and the redacted message. No database: templates learned during the run live for the run.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Classify failure messages from stdin, one per line; one JSON line out per line in.")
public final class AnalyzeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--explain", description = "Add the reasons behind each verdict's confidence.")
  boolean explain;

  @Option(names = "--json-input", description = "Each input line is a JSON object {message, exceptionType, stackTrace, "
      + "httpStatus, exitCode, signal, sqlState, stage, explain} instead of a plain message; other fields are refused.")
  boolean jsonInput;

  @Option(names = "--rules", paramLabel = "FILE", description = "A YAML rule file that extends or overrides the built-in catalog.")
  Path rules;

  @Option(names = "--input", paramLabel = "FILE", description = "Read from FILE instead of stdin.")
  Path input;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (rules != null && !Files.isReadable(rules)) {
      err.println("error: rule file " + rules + " does not exist or is not readable");
      err.flush();
      return CliFailure.USAGE;
    }
    RuleCatalog catalog = rules == null ? RuleCatalog.builtin() : RuleCatalog.builtinAnd(rules);
    for (RuleProblem p : catalog.problems()) {
      err.println("warning: rule catalog: " + p);
    }
    err.flush();
    Classifier classifier = Classifier.builder(catalog).miner(new TemplateMiner()).build();
    BufferedReader in = new BufferedReader(input == null
        ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
        : Files.newBufferedReader(input, StandardCharsets.UTF_8), 1 << 16);
    Writer out = spec.commandLine().getOut();
    // verdict lines are appended to one buffer and written in large chunks: no string, generator or
    // writer call per line
    TextBuffer buffer = new TextBuffer(OUTPUT_CHUNK_CHARS + 4096);
    String line;
    int n = 0;
    while ((line = in.readLine()) != null) {
      n++;
      analyze(classifier, line, n, buffer).append('\n');
      if (buffer.length() >= OUTPUT_CHUNK_CHARS) {
        buffer.writeTo(out);
      }
    }
    buffer.writeTo(out);
    out.flush();
    return 0;
  }

  private static final int OUTPUT_CHUNK_CHARS = 1 << 16;

  /** Appends the JSON line (without its line break) answering one input line. */
  TextBuffer analyze(Classifier classifier, String line, int lineNumber, TextBuffer out) {
    try {
      ClassifyRequest request = jsonInput
          ? ClassifyRequest.fromJson(JsonFields.requireObject(Json.decodeValue(line)))
          : ClassifyRequest.ofMessage(line);
      Verdict v = classifier.classify(VerdictJson.input(request));
      JsonObject o = explain || request.explain() ? VerdictJson.withReasons(v) : VerdictJson.of(v);
      return JsonText.append(out, o);
    } catch (DecodeException e) {
      return JsonText.append(out, ReboundException.badRequest("malformed JSON").toJson().put("line", lineNumber));
    } catch (ReboundException e) {
      return JsonText.append(out, e.toJson().put("line", lineNumber));
    }
  }
}
