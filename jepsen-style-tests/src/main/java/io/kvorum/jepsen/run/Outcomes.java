package io.kvorum.jepsen.run;

import io.kvorum.client.BadVersionException;
import io.kvorum.client.ClusterUnavailableException;
import io.kvorum.client.InvalidArgumentException;
import io.kvorum.client.MembershipChangeException;
import io.kvorum.client.NoChildrenForEphemeralsException;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.NotEmptyException;
import io.kvorum.client.PermissionDeniedException;
import io.kvorum.client.SessionExpiredException;
import io.kvorum.client.UnauthenticatedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a failed write means for the history. {@code fail} must mean "certainly not applied":
 * the cluster answered with a refusal (no node, bad version, expired session, ...: the state
 * machine or the leader decided, nothing changed), or kv-client says no attempt can have
 * reached a node that might apply it. Everything else (a timeout, a connection lost after
 * sending, an unexpected error) is {@code info}.
 */
public final class Outcomes {
    private Outcomes() {
    }

    public static boolean certainlyNotApplied(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof ClusterUnavailableException u) {
            // Retries carry the same client id and sequence, so the cluster applies the write at
            // most once; the client tracks whether any attempt may have reached a node.
            return !u.mayHaveBeenApplied();
        }
        // The state machine's or the leader's refusals: answers, so nothing was applied. A
        // retried attempt of the same write gets the first attempt's answer (the cluster
        // remembers it by client id and sequence), so a refusal is never a lost success.
        return e instanceof NoNodeException || e instanceof NodeExistsException || e instanceof BadVersionException
                || e instanceof NotEmptyException || e instanceof NoChildrenForEphemeralsException
                || e instanceof SessionExpiredException || e instanceof InvalidArgumentException
                || e instanceof PermissionDeniedException || e instanceof UnauthenticatedException
                || e instanceof MembershipChangeException;
    }

    /** A short description for the history's error field. */
    public static String describe(Throwable error) {
        Throwable e = unwrap(error);
        String m = e.getMessage();
        String s = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
