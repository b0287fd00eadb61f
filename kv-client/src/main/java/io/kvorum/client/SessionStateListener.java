package io.kvorum.client;

/**
 * Told each time a session changes state. Calls for one listener never overlap and come in the
 * order of the changes, on a client thread.
 */
@FunctionalInterface
public interface SessionStateListener {
    void stateChanged(Session session, SessionState newState);
}
