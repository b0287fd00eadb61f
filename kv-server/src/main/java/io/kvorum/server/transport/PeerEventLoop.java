package io.kvorum.server.transport;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The peers' own event loop: one thread that carries every peer connection of the node, the
 * peer port's inbound ones and the lanes out to each peer, and serves nothing else, so that
 * the node may run its raft loop on it ({@link MessageHandler#onMessagesDelivered}), synced
 * write included, without holding up a client. Frames such a turn sends (a follower's
 * acknowledgement) are then written by the thread that is already running, once the turn
 * ends, rather than by a thread woken for them.
 *
 * <p>It calls {@link MessageHandler#onMessagesDelivered} once after each round of reads in
 * which streams delivered messages, as a task queued behind that round: every frame the round
 * read from any peer is handed over first, so a node that works there takes them all in one
 * turn (one synced write for all the appends that arrived during the last one), as a loop
 * thread of its own would.
 */
final class PeerEventLoop implements AutoCloseable {
    private static final long STOP_MILLIS = 5_000;

    private final EventLoopGroup group;
    private final boolean epoll;
    private final AtomicBoolean roundEndQueued = new AtomicBoolean();
    private final Runnable roundEnd;

    PeerEventLoop(long selfId, MessageHandler handler) {
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kvorum-peer-io-" + selfId, true), io);
        this.roundEnd = () -> {
            roundEndQueued.set(false);
            handler.onMessagesDelivered();
        };
    }

    EventLoopGroup group() {
        return group;
    }

    Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends Channel> channelType() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** A stream delivered messages: the node hears of the round's end once, after the round. */
    void delivered() {
        if (roundEndQueued.compareAndSet(false, true)) {
            try {
                group.execute(roundEnd);
            } catch (RejectedExecutionException e) {
                // Closing: the handler is closed before the loop, nothing is waiting for this.
            }
        }
    }

    /**
     * Runs {@code task} on this loop after what is queued there now: after a turn that ran on
     * this loop, after the writes of the frames it sent. Closing: runs it on the caller.
     */
    void executeLater(Runnable task) {
        try {
            group.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Stops the thread; call once the server and the channels on it have terminated. */
    @Override
    public void close() {
        group.shutdownGracefully(0, STOP_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly(STOP_MILLIS);
    }
}
