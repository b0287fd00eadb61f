package io.kvorum.server.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files of one TLS identity: this side's certificate chain and key, and the CA
 * certificates that the other side's certificate must chain to.
 */
public record TlsFiles(Path cert, Path key, Path ca) {
    public TlsFiles {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ca, "ca");
    }
}
