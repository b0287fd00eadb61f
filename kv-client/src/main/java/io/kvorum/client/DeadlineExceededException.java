package io.kvorum.client;

import java.util.List;

/**
 * The call's deadline passed while a node was still working on it (the cluster was reachable
 * but slow). For a write the outcome is unknown: it may still be applied, once.
 */
public class DeadlineExceededException extends KvorumException {
    private final List<String> endpointsTried;

    public DeadlineExceededException(String message, Throwable cause, List<String> endpointsTried) {
        super(message, cause, null, null, -1);
        this.endpointsTried = List.copyOf(endpointsTried);
    }

    /** The endpoints ({@code host:port}) this call tried, in the order first tried. */
    public List<String> endpointsTried() {
        return endpointsTried;
    }
}
