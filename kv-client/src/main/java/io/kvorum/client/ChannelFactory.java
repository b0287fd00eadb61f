package io.kvorum.client;

import io.grpc.ManagedChannel;

/**
 * Makes the gRPC channel to one endpoint. The default is plaintext over Netty; supply your own
 * for TLS, interceptors (credentials), or an in-process transport in tests. The client owns the
 * channels it gets and shuts them down on close.
 */
@FunctionalInterface
public interface ChannelFactory {
    /** A channel to {@code address} ({@code host:port}). */
    ManagedChannel create(String address);
}
