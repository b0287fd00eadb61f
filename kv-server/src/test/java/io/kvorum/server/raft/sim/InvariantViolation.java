package io.kvorum.server.raft.sim;

/** A safety or liveness property the cluster broke. The message names the property. */
final class InvariantViolation extends RuntimeException {
    InvariantViolation(String message) {
        super(message);
    }
}
