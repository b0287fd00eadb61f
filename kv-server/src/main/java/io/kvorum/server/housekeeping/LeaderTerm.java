package io.kvorum.server.housekeeping;

import io.kvorum.server.node.NodeStatus;

/**
 * Notices, from periodic looks at the node's status, when this node starts leading a new
 * term. Polling (at the keeper's 100 ms pace) needs no hook in the raft loop, and because
 * the same tick that notices a new term also makes the first expiry decision, the reset
 * always comes before any decision of the new term.
 */
final class LeaderTerm {
    private long term = -1;

    /** Whether this node leads now; {@code onNewTerm} runs first when it leads a term it did not before. */
    boolean leading(NodeStatus s, Runnable onNewTerm) {
        if (!"leader".equals(s.role())) {
            term = -1;
            return false;
        }
        if (s.term() != term) {
            term = s.term();
            onNewTerm.run();
        }
        return true;
    }
}
