package io.kvorum.server.api;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.kvorum.server.node.RaftNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client port's event loops, and how a write read on one of them reaches the raft loop.
 *
 * <p>The small KV calls run on the event loop thread that read them ({@code InlineCalls}). A
 * write proposed from one of these threads is only queued ({@link RaftNode#queueProposal});
 * once the loop has handled its round of reads, one task queued behind that round tells the
 * node ({@link RaftNode#proposalsQueued}), which proposes everything the round queued in one
 * turn, on this thread when the raft loop sleeps. A lone client's write then wakes no raft
 * loop thread on its way in, and several requests read together still share one synced
 * write. A proposal from any other thread (the API pool, housekeeping) wakes the raft loop as
 * before.
 *
 * <p>While such a turn runs, the loop's other connections wait for its synced write; it only
 * runs when the raft loop thread had nothing to do, so under load, when the raft loop is
 * busy, the loops hand their writes over and never wait for the disk.
 */
final class ClientEventLoops implements AutoCloseable {
    private static final long STOP_MILLIS = 5_000;

    private final EventLoopGroup group;
    private final boolean epoll;
    private final EventExecutor[] loops;
    /** Per loop: its round-end task is queued; each slot is read and written by its own loop's thread only. */
    private final boolean[] roundEndQueued;
    private final Runnable[] roundEnds;
    private final RaftNode node;

    ClientEventLoops(RaftNode node, int threads) {
        this.node = node;
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("kvorum-client-io-" + node.status().id(), true), io);
        List<EventExecutor> all = new ArrayList<>();
        group.forEach(all::add);
        this.loops = all.toArray(EventExecutor[]::new);
        this.roundEndQueued = new boolean[loops.length];
        this.roundEnds = new Runnable[loops.length];
        for (int i = 0; i < loops.length; i++) {
            int slot = i;
            roundEnds[i] = () -> {
                roundEndQueued[slot] = false;
                node.proposalsQueued();
            };
        }
    }

    EventLoopGroup group() {
        return group;
    }

    Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Proposes {@code framed} ({@link RaftNode#proposeFramed}): on one of these loops, queued
     * for the turn at the end of the loop's round; on any other thread, at once.
     */
    CompletableFuture<byte[]> propose(byte[] framed) {
        int slot = currentLoop();
        if (slot < 0) {
            return node.proposeFramed(framed);
        }
        CompletableFuture<byte[]> f = node.queueProposal(framed);
        if (!roundEndQueued[slot]) {
            roundEndQueued[slot] = true;
            try {
                loops[slot].execute(roundEnds[slot]);
            } catch (RejectedExecutionException e) {
                roundEndQueued[slot] = false;
                node.proposalsQueued(); // the loop is shutting down: do not leave the proposal queued unannounced
            }
        }
        return f;
    }

    /** The index of the loop whose thread is calling, or -1. */
    private int currentLoop() {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inEventLoop()) {
                return i;
            }
        }
        return -1;
    }

    /** Stops the threads; call once the server on them has terminated. */
    @Override
    public void close() {
        group.shutdownGracefully(0, STOP_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly(STOP_MILLIS);
    }
}
