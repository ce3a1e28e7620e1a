package dev.rebound.app.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rebound completion bash|zsh}: a completion script generated from the command tree (picocli's
 * {@link AutoComplete}), so every command, subcommand, option and enum value completes.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a shell completion script for rebound.",
        "bash: source <(rebound completion bash)   (or save it in /etc/bash_completion.d/rebound)",
        "zsh:  source <(rebound completion zsh)    (in ~/.zshrc)"})
public final class CompletionCommand implements Callable<Integer> {
  public enum Shell { bash, zsh }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    String script = AutoComplete.bash(root.getCommandName(), root);
    PrintWriter out = spec.commandLine().getOut();
    if (shell == Shell.zsh) {
      // the generated script is bash's; zsh runs it through bashcompinit
      out.println("autoload -U +X compinit && compinit");
      out.println("autoload -U +X bashcompinit && bashcompinit");
    }
    out.print(script);
    out.flush();
    return 0;
  }
}
