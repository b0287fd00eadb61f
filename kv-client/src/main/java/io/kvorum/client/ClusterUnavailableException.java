package io.kvorum.client;

import java.util.List;

/**
 * The call could not be served before its deadline because no node could: every endpoint tried
 * was unreachable, or the reachable ones had no leader (no quorum). The client keeps trying in
 * the background (sessions, watches) and later calls succeed by themselves once nodes return.
 *
 * <p>For a write, {@link #mayHaveBeenApplied()} says whether some attempt may have reached a
 * node before the connection failed: then the write may or may not have been applied (a retry
 * by the client is deduplicated, but this call's outcome is unknown).
 */
public class ClusterUnavailableException extends KvorumException {
    private final List<String> endpointsTried;
    private final boolean mayHaveBeenApplied;

    public ClusterUnavailableException(String message, Throwable cause, String reason, List<String> endpointsTried,
                                       boolean mayHaveBeenApplied) {
        super(message, cause, reason, null, -1);
        this.endpointsTried = List.copyOf(endpointsTried);
        this.mayHaveBeenApplied = mayHaveBeenApplied;
    }

    /** The endpoints ({@code host:port}) this call tried, in the order first tried. */
    public List<String> endpointsTried() {
        return endpointsTried;
    }

    /** True when a write may have been applied although the call failed. Always false for reads. */
    public boolean mayHaveBeenApplied() {
        return mayHaveBeenApplied;
    }
}
