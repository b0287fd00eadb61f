package io.kvorum.cli;

import io.kvorum.client.BadVersionException;
import io.kvorum.client.ClusterUnavailableException;
import io.kvorum.client.DeadlineExceededException;
import io.kvorum.client.InvalidArgumentException;
import io.kvorum.client.MembershipChangeException;
import io.kvorum.client.NoChildrenForEphemeralsException;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.NotEmptyException;
import io.kvorum.client.PermissionDeniedException;
import io.kvorum.client.UnauthenticatedException;
import picocli.CommandLine;

/**
 * The exit codes of {@code kvorum}, stable for scripts, and which failure maps to which.
 *
 * <pre>
 *   0  success
 *   1  any other error
 *   2  bad usage (unknown option, missing argument, malformed multi file, a path or value the server refuses)
 *   3  no such node
 *   4  node exists
 *   5  version or precondition failed (bad version, not empty, ephemeral parent, refused membership change)
 *   6  cluster unavailable (no reachable node, no leader or quorum) or deadline exceeded
 *   7  permission denied or not authenticated
 * </pre>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    public static final int NO_NODE = 3;
    public static final int NODE_EXISTS = 4;
    public static final int PRECONDITION = 5;
    public static final int UNAVAILABLE = 6;
    public static final int DENIED = 7;

    private ExitCodes() {
    }

    /** The exit code for a failure. */
    public static int of(Throwable e) {
        if (e instanceof NoNodeException) {
            return NO_NODE;
        }
        if (e instanceof NodeExistsException) {
            return NODE_EXISTS;
        }
        if (e instanceof BadVersionException || e instanceof NotEmptyException
                || e instanceof NoChildrenForEphemeralsException || e instanceof MembershipChangeException) {
            return PRECONDITION;
        }
        if (e instanceof ClusterUnavailableException || e instanceof DeadlineExceededException) {
            return UNAVAILABLE;
        }
        if (e instanceof PermissionDeniedException || e instanceof UnauthenticatedException) {
            return DENIED;
        }
        // The server refused the request's shape (bad path, too large): the user's input, like bad usage.
        if (e instanceof InvalidArgumentException || e instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        return ERROR;
    }
}
