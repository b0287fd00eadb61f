package io.kvorum.cli.command;

import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kvorum completion}: prints the bash completion script (bash and zsh with
 * bashcompinit). Load it with {@code source <(bin/kvorum completion)}.
 */
@Command(name = "completion", description = {"Prints a bash/zsh completion script for kvorum.",
        "Load it into the current shell:  source <(bin/kvorum completion)",
        "(zsh: run 'autoload -U +X bashcompinit && bashcompinit' first)."})
public final class CompletionCommand implements Callable<Integer> {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    CompletionCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.out().print(AutoComplete.bash("kvorum", spec.root().commandLine()));
        cli.out().flush();
        return ExitCodes.OK;
    }
}
