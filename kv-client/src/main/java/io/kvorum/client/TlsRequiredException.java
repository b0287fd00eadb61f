package io.kvorum.client;

/**
 * The node's client port requires TLS and this client connected without it: a configuration
 * error, so the call fails at once instead of being retried (every node of a cluster is
 * configured alike). Build the client with {@link KvorumClientBuilder#tls}.
 */
public class TlsRequiredException extends KvorumException {
    public TlsRequiredException(String message, Throwable cause) {
        super(message, cause);
    }
}
