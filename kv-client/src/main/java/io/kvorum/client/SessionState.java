package io.kvorum.client;

/**
 * A session's state, as the client sees it (modelled on Curator's ConnectionState).
 *
 * <pre>
 *   CONNECTED --(keep-alives unanswered / stream broke)--> SUSPENDED --(answered again)--> RECONNECTED
 *   SUSPENDED --(~a TTL without an answer)--> LOST --(answered: still alive)--> RECONNECTED
 *   any --(the cluster says it is gone)--> EXPIRED          any --(close())--> CLOSED
 * </pre>
 */
public enum SessionState {
    /** Opened; keep-alives are answered. */
    CONNECTED,
    /**
     * Keep-alives are not being answered right now. The session may still be alive: its
     * ephemeral nodes exist until the TTL passes. A lock holder should pause work that needs the
     * lock until RECONNECTED.
     */
    SUSPENDED,
    /** Keep-alives are answered again after SUSPENDED or LOST: the same session lives on. */
    RECONNECTED,
    /**
     * No keep-alive was answered for (nine tenths of) a TTL: from now on the cluster may expire
     * the session and delete its ephemerals; announced before it can. Treat locks and leadership
     * as lost. The client keeps trying; the cluster's answer turns this into EXPIRED or
     * RECONNECTED.
     */
    LOST,
    /** The cluster says the session is gone; its ephemerals are deleted. Final. */
    EXPIRED,
    /** Closed by the application; its ephemerals are deleted. Final. */
    CLOSED;

    /** Whether the session can never come back. */
    public boolean isTerminal() {
        return this == EXPIRED || this == CLOSED;
    }

    /** Whether keep-alives are being answered. */
    public boolean isConnected() {
        return this == CONNECTED || this == RECONNECTED;
    }
}
