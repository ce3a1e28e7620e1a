package dev.rebound.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rebound demo}: the scripted scenarios ({@link Demo}) against a running Rebound, with a live view of
 * tasks, decisions and alerts, then where to look in the dashboard.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Play scripted scenarios against a running Rebound (over HTTP), acting as a worker: a 10-tab "
        + "scrape with 3 tabs gone (7 DONE, 3 dead-lettered), a timeout retried with backoff, a stage whose "
        + "dependency is down opening its circuit, a workflow aborted, a failure tied to no task, and a "
        + "checkpointed run resumed. About two minutes against `rebound run`.",
        "Exit code 0 when every scenario ended as scripted, 1 otherwise."})
public final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  ClientOptions client;

  @Option(names = "--quick", description = "Shorter scenarios (fewer retries, a smaller checkpointed run).")
  boolean quick;

  @Option(names = "--scenario-timeout", paramLabel = "SECONDS", defaultValue = "120",
      description = "Give up on a scenario after this long (default ${DEFAULT-VALUE}).")
  int scenarioTimeout;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    boolean live = Progress.onTerminal() && !client.json;
    DemoView view = new DemoView(client.json ? new PrintWriter(java.io.Writer.nullWriter()) : out, live);
    Demo demo = new Demo(client.url, client.token(), client.caFile, view, quick, Duration.ofSeconds(scenarioTimeout));
    if (!client.json) {
      out.println("rebound demo " + demo.runId() + " against " + client.url + " (stages and workflows named demo-*-"
          + demo.runId() + ")");
      out.flush();
    }
    List<Demo.Outcome> outcomes = demo.play();
    boolean allPassed = outcomes.stream().allMatch(Demo.Outcome::passed);
    if (client.json) {
      JsonArray list = new JsonArray();
      outcomes.forEach(o -> list.add(new JsonObject().put("scenario", o.scenario()).put("passed", o.passed())
          .put("summary", o.summary())));
      out.println(new JsonObject().put("run", demo.runId()).put("passed", allPassed).put("scenarios", list).encode());
    } else {
      String base = client.url.replaceAll("/+$", "");
      out.println();
      out.println(allPassed ? "Every scenario ended as scripted." : "Some scenarios did not end as scripted (above).");
      out.println("Where to look:");
      out.println("  " + base + "/ui            tasks by state and stage (workflows demo-" + demo.runId() + "-*)");
      out.println("  " + base + "/ui/dlq        the dead-lettered tabs, with their errors; redrive them");
      out.println("  " + base + "/ui/circuits   the circuit of stage demo-deploy-" + demo.runId());
      out.println("  " + base + "/ui/alerts     the alerts raised, to acknowledge or resolve");
      out.println("  or: rebound dlq list · rebound circuits list · rebound alerts list");
    }
    out.flush();
    return allPassed ? 0 : CliFailure.FAILED;
  }
}
