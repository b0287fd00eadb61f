package io.kvorum.cli.command;

import io.kvorum.cli.Cli;
import io.kvorum.client.KvorumClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A subcommand that talks to the cluster: connects with the global options, runs, closes the
 * client (which ends any session it opened), and returns the exit code.
 */
public abstract class ClientCommand implements Callable<Integer> {
    protected final Cli cli;

    @Spec
    protected CommandSpec spec;

    protected ClientCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public final Integer call() throws Exception {
        validate();
        try (KvorumClient client = connect()) {
            return run(client);
        }
    }

    /** Checks the arguments before connecting; throws {@link io.kvorum.cli.UsageError}. */
    protected void validate() {
    }

    protected KvorumClient connect() {
        return cli.connect();
    }

    /** Does the work; returns the exit code. Failures are thrown and mapped by the error handler. */
    protected abstract int run(KvorumClient client) throws Exception;
}
