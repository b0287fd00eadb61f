package io.kvorum.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/** TLS channels to a loopback client port, trusting {@code ca}, with or without a client certificate. */
public final class TlsChannels {
    private TlsChannels() {
    }

    public static ManagedChannel to(int port, Path ca, TestPki.CertFiles clientCert) {
        try {
            SslContextBuilder b = GrpcSslContexts.forClient().trustManager(ca.toFile());
            if (clientCert != null) {
                b.keyManager(clientCert.cert().toFile(), clientCert.key().toFile());
            }
            return NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(b.build())
                    .maxInboundMessageSize(32 << 20).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
