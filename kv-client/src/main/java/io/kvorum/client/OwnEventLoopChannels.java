package io.kvorum.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The built-in channel factory when the client has an event loop of its own
 * ({@link KvorumClientBuilder#ownEventLoop}): every channel runs on one NIO event loop thread,
 * started with the first channel and stopped by {@link #close()} once the client has closed
 * its channels. Unlike gRPC's shared event loop, which lives on for a second after the last
 * channel closes, nothing of it is left blocked in a system call when a short-lived process
 * exits: JDK 17 holds exit back (some 0.3 s) while any thread is in native code.
 */
final class OwnEventLoopChannels implements ChannelFactory, AutoCloseable {
    /** How long {@link #close()} waits for the loop's thread to end; it ends in milliseconds. */
    private static final long STOP_MILLIS = 1_000;

    private final BiFunction<String, EventLoopGroup, ManagedChannel> channels;
    private EventLoopGroup loop;
    private boolean closed;

    /** @param channels makes the channel to an address on the given event loop */
    OwnEventLoopChannels(BiFunction<String, EventLoopGroup, ManagedChannel> channels) {
        this.channels = channels;
    }

    @Override
    public ManagedChannel create(String address) {
        return channels.apply(address, loop());
    }

    private synchronized EventLoopGroup loop() {
        if (closed) {
            throw new ClientClosedException("the Kvorum client is closed");
        }
        if (loop == null) {
            loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kvorum-client-io", true),
                    NioIoHandler.newFactory());
        }
        return loop;
    }

    /** Stops the event loop; call after the channels on it are shut down. */
    @Override
    public void close() {
        EventLoopGroup l;
        synchronized (this) {
            closed = true;
            l = loop;
        }
        if (l != null) {
            // No quiet period: the channels are already shut down, nothing more will come.
            l.shutdownGracefully(0, STOP_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly(STOP_MILLIS);
        }
    }
}
