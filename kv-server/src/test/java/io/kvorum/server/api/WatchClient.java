package io.kvorum.server.api;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.WatchCancel;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchProgress;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One Watch stream as a test sees it: send creates/cancels, take responses from a queue. */
final class WatchClient implements AutoCloseable {
    final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
    private final StreamObserver<WatchRequest> requests;
    volatile Throwable error;
    volatile boolean completed;

    WatchClient(WatchGrpc.WatchStub stub) {
        requests = stub.watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
                error = t;
            }

            @Override
            public void onCompleted() {
                completed = true;
            }
        });
    }

    synchronized void create(long id, String path, boolean recursive, long startRevision) {
        requests.onNext(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(id).setPath(path)
                .setRecursive(recursive).setStartRevision(startRevision)).build());
    }

    synchronized void cancel(long id) {
        requests.onNext(WatchRequest.newBuilder().setCancel(WatchCancel.newBuilder().setWatchId(id)).build());
    }

    synchronized void requestProgress() {
        requests.onNext(WatchRequest.newBuilder().setProgress(WatchProgress.getDefaultInstance()).build());
    }

    /** The next response, or null after {@code millis}. */
    WatchResponse next(long millis) throws InterruptedException {
        return responses.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The next response that is not a progress notification; fails after {@code millis}. */
    WatchResponse nextNonProgress(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
            WatchResponse r = left > 0 ? next(left) : null;
            if (r == null) {
                throw new AssertionError("no response within " + millis + " ms (stream error: " + error + ")");
            }
            if (!r.getProgress()) {
                return r;
            }
        }
    }

    /** Events of the next {@code count} events' worth of responses for watch {@code id}. */
    List<Event> events(long id, int count, long millis) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        while (out.size() < count) {
            WatchResponse r = nextNonProgress(millis);
            if (r.getWatchId() == id) {
                if (r.getCanceled()) {
                    throw new AssertionError("watch " + id + " canceled: " + r.getCancelReason());
                }
                out.addAll(r.getEventsList());
            }
        }
        return out;
    }

    /** Drops the connection without a goodbye, like a client that died. */
    void disconnect() {
        ((ClientCallStreamObserver<WatchRequest>) requests).cancel("test disconnects", null);
    }

    @Override
    public synchronized void close() {
        try {
            requests.onCompleted();
        } catch (RuntimeException e) {
            // already closed
        }
    }
}
