package io.kvorum.server.api;

import io.kvorum.proto.v1.ResponseHeader;
import io.kvorum.server.node.RaftNode;

/** Builds the {@link ResponseHeader} every answer carries: revision, this member's id, its term. */
final class Headers {
    private final RaftNode node;

    Headers(RaftNode node) {
        this.node = node;
    }

    ResponseHeader of(long revision) {
        var s = node.status();
        return ResponseHeader.newBuilder().setRevision(revision).setMemberId(s.id()).setRaftTerm(s.term()).build();
    }

    /** The state machine's header (its revision) completed with who answered. */
    ResponseHeader complete(ResponseHeader fromState, long fallbackRevision) {
        return of(fromState.getRevision() != 0 ? fromState.getRevision() : fallbackRevision);
    }

    long memberId() {
        return node.status().id();
    }
}
