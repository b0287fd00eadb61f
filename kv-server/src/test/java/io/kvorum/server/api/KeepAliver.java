package io.kvorum.server.api;

import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.SessionGrpc;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A client's keep-alive loop on one stream: a request every {@code everyMillis}, answers collected. */
final class KeepAliver implements AutoCloseable {
    final BlockingQueue<KeepAliveResponse> answers = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final StreamObserver<KeepAliveRequest> requests;
    volatile Throwable failure;
    /** When the last keep-alive was sent (System.nanoTime). */
    volatile long lastSentNanos;

    KeepAliver(SessionGrpc.SessionStub stub, long sessionId, long everyMillis) {
        requests = stub.keepAlive(new StreamObserver<>() {
            @Override
            public void onNext(KeepAliveResponse r) {
                answers.add(r);
            }

            @Override
            public void onError(Throwable t) {
                failure = t;
            }

            @Override
            public void onCompleted() {
            }
        });
        timer.scheduleAtFixedRate(() -> {
            synchronized (requests) {
                requests.onNext(KeepAliveRequest.newBuilder().setSessionId(sessionId).build());
                lastSentNanos = System.nanoTime();
            }
        }, 0, everyMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops sending and ends the stream: from now on the session only ages. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (requests) {
            try {
                requests.onCompleted();
            } catch (RuntimeException e) {
                // the stream already failed
            }
        }
    }
}
