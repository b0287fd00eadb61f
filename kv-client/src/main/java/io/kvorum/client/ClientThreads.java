package io.kvorum.client;

import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;

/**
 * Which thread a piece of code runs on, as far as the client is concerned. Answers are
 * delivered, and their futures completed, on the transport's event-loop threads; code there
 * must not wait for another answer, which that same thread may be the one to read.
 */
public final class ClientThreads {
    private ClientThreads() {
    }

    /**
     * Whether the calling thread is one of the client's I/O threads (gRPC's Netty event loops,
     * or the client's own): true inside a callback of an async call whose answer had not
     * arrived when the callback was attached.
     */
    public static boolean isIoThread() {
        return ThreadExecutorMap.currentExecutor() != null;
    }
}
