package io.kvorum.server.housekeeping;

import io.kvorum.proto.internal.v1.Command;
import java.util.concurrent.CompletableFuture;

/**
 * How a housekeeping job puts a command into the raft log: the API's proposer, which stamps the
 * command with this node's wall clock and completes once this node applied it (or fails with
 * the command's error, NotLeader or the timeout). The jobs only need to know when their
 * proposal is over, not its answer.
 */
@FunctionalInterface
public interface CommandProposer {
    CompletableFuture<?> propose(Command.Builder command, long timeoutMillis);
}
