package io.kvorum.server.tls;

/** TLS material that cannot be used: the message names the file and the problem. */
public final class TlsConfigException extends RuntimeException {
    public TlsConfigException(String message) {
        super(message);
    }
}
