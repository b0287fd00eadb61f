package io.kvorum.cli.command;

import io.kvorum.cli.Cli;
import io.kvorum.cli.DurationConverter;
import io.kvorum.client.KvorumClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * A subcommand that holds something through its client's session (a lock, a leadership) until
 * it stops: the session's TTL is how long the hold outlives a kvorum process that crashed.
 */
abstract class SessionCommand extends ClientCommand {
    @Option(names = "--session-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "10s",
            description = "How long what this command holds outlives a crashed kvorum. Default: ${DEFAULT-VALUE}.")
    Duration sessionTtl;

    SessionCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected final KvorumClient connect() {
        return cli.connect(sessionTtl);
    }
}
