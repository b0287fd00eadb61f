package io.kvorum.client;

/** The call was made on, or was still running when someone closed, a client, session or watch. */
public class ClientClosedException extends KvorumException {
    public ClientClosedException(String message) {
        super(message);
    }
}
