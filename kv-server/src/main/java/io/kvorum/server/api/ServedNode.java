package io.kvorum.server.api;

import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.util.Objects;

/**
 * What a {@link ClientServer} serves: a started node, the coordination state it applies (kept
 * in the node's own store), and the watch hub attached to that state before the node applied
 * anything, so the hub's revision is exact from the first entry on. The root package's
 * {@code KvorumServer.startNode} makes one.
 */
public record ServedNode(RaftNode node, CoordinationState state, WatchHub hub) {
    public ServedNode {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(hub, "hub");
    }
}
