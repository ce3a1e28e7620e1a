package dev.rebound.app.cli;

import dev.rebound.app.run.PostgresProvisioner;
import dev.rebound.app.run.ReboundRun;
import dev.rebound.common.runtime.ConfigException;
import dev.rebound.common.runtime.RuntimeKeys;
import dev.rebound.common.runtime.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rebound run}: every service built so far in this JVM, on one port, until SIGTERM or Ctrl-C.
 * The work is {@link ReboundRun}; this class reads the flags, prints where Rebound listens, and waits.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run Rebound in this JVM: every service on a local event bus, all HTTP APIs on one port.",
        "PostgreSQL comes from PG* / REBOUND_PG_* (default 127.0.0.1:5432, user postgres); when none answers "
            + "there, an embedded PostgreSQL is started with its data in ~/.rebound/pg (as root: run by the system user "
            + "rebound-pg, data in /var/lib/rebound/pg)."})
public final class RunCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", paramLabel = "PORT",
      description = "HTTP port of every API, /health/* and /metrics (config run.port; default 8080).")
  Integer port;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Address to listen on (config run.host; default 127.0.0.1; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--config", paramLabel = "FILE",
      description = "YAML configuration file (default: the file named by REBOUND_CONFIG, if any).")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ReboundRun run;
    try {
      run = ReboundRun.start(settings(), ReboundRun.SERVICES, PostgresProvisioner.system());
    } catch (ConfigException e) {
      throw new CliFailure(CliFailure.USAGE, e.getMessage());
    } catch (PostgresProvisioner.Refused e) {
      throw new CliFailure(CliFailure.FAILED, e.getMessage());
    } catch (IllegalStateException e) {
      throw new CliFailure(CliFailure.FAILED, "Rebound did not start: " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        run.stop();
      } finally {
        stopped.countDown();
      }
    }, "rebound-shutdown"));
    // our hook stops the services first, then the embedded PostgreSQL: it must be the only one
    run.embeddedPostgres().ifPresent(db -> db.stopOnlyOnClose());
    out.println("Rebound is running at " + run.url() + " (services: " + String.join(", ", run.services())
        + run.embeddedPostgres().map(db -> "; embedded PostgreSQL on 127.0.0.1:" + db.port() + ", data in "
            + db.dataDir()).orElse("") + "). Stop with Ctrl-C.");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("interrupted");
    }
    return 0;
  }

  /** Defaults < YAML (--config, else REBOUND_CONFIG) < environment < flags; unknown keys refused. */
  Settings settings() {
    Map<String, String> env = System.getenv();
    Optional<Path> yaml = Optional.ofNullable(config).or(() -> {
      String file = env.get(Settings.CONFIG_FILE_ENV);
      return file == null || file.isBlank() ? Optional.empty() : Optional.of(Path.of(file.trim()));
    });
    Settings settings;
    try {
      settings = Settings.load(env, yaml);
      settings.requireKnown(ReboundRun.keys());
    } catch (ConfigException e) {
      throw new CliFailure(CliFailure.USAGE, e.getMessage());
    }
    Map<String, String> flags = new HashMap<>();
    if (port != null) {
      flags.put(RuntimeKeys.RUN_PORT.name(), port.toString());
    }
    if (host != null) {
      flags.put(RuntimeKeys.RUN_HOST.name(), host);
    }
    return settings.withOverrides(flags);
  }
}
