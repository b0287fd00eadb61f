package io.kvorum.server.api;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.server.node.RaftNode;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Proposes commands through raft and decodes the state machine's answer. The command carries
 * this node's wall clock (the state machine never reads one), and any node may propose: a
 * follower forwards to the leader inside raft, and the future completes when this node has
 * applied the command. A command that timed out may still be applied later; clients retry
 * with the same (client id, sequence) so it applies once.
 */
final class Proposer {
    private final RaftNode node;
    private final DeadlineTimer deadlines;

    Proposer(RaftNode node, DeadlineTimer deadlines) {
        this.node = node;
        this.deadlines = deadlines;
    }

    /** Completes with the result, or fails with the mapped command error, NotLeader or timeout. */
    CompletableFuture<CommandResult> propose(Command.Builder command, long timeoutMillis) {
        String caller = AccessInterceptor.USER.get();
        if (caller != null) {
            command.setCaller(caller); // sessions check it at apply (state.Sessions)
        }
        Command c = command.setTimeMillis(System.currentTimeMillis()).build();
        // Encoded once, straight into the array that becomes the log entry.
        int size = c.getSerializedSize();
        byte[] framed = new byte[RaftNode.PROPOSAL_PREFIX_BYTES + size];
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(framed, RaftNode.PROPOSAL_PREFIX_BYTES, size);
            c.writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("encoding a command into its own size failed", e);
        }
        return deadlines.orTimeout(node.proposeFramed(framed), timeoutMillis).thenApply(Proposer::decode);
    }

    /** Checks that the answer is of the expected kind: anything else is a server bug. */
    static CommandResult expect(CommandResult r, CommandResult.ResultCase kind) {
        if (r.getResultCase() != kind) {
            throw new IllegalStateException("the state machine answered " + r.getResultCase() + " where " + kind
                    + " was expected");
        }
        return r;
    }

    private static CommandResult decode(byte[] answer) {
        CommandResult r;
        try {
            r = CommandResult.parseFrom(answer);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the state machine's answer does not parse", e);
        }
        if (r.hasError()) {
            throw Errors.of(r.getError());
        }
        return r;
    }
}
