package io.kvorum.server.api;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import java.util.function.Function;

/**
 * A Watch stream of the gRPC Watch service driven from inside the server: requests go in
 * through {@link #send}, responses come out to a {@link Sink}. Flow control works as on a gRPC
 * call: the stream sends events only while {@link Sink#hasRoom()}, and the sink calls
 * {@link #ready()} once it has room again; a sink that never makes room sees its watches
 * cancelled with WATCHER_TOO_SLOW, never unbounded memory. Control responses (created,
 * progress, canceled) are sent regardless, as on gRPC. A {@link Check} (the caller's rights)
 * sees every request before the stream does, every response before the sink does (dropping
 * the events the caller may not read), and may end the stream later when a right goes.
 */
public final class LocalWatch implements AutoCloseable {
    /** Where a local watch stream's responses go. Called from the stream's executor, one at a time. */
    public interface Sink {
        /** Whether the stream may send another event response now. */
        boolean hasRoom();

        void onResponse(WatchResponse response);

        /** The stream failed (a malformed request): no more responses follow. */
        void onError(ApiError error);
    }

    /** Who may watch what: the caller's rights, as a gRPC Watch call's are checked. */
    interface Check {
        /** Allows everything (the server's own watches). */
        Check NONE = new Check() {
            @Override
            public void started(LocalWatch watch) {
            }

            @Override
            public StatusRuntimeException refusal(WatchRequest r) {
                return null;
            }

            @Override
            public void ended() {
            }
        };

        /** The stream is open: from now on the check may {@link LocalWatch#revoke} it. */
        void started(LocalWatch watch);

        /** Null when {@code r} may go into the stream, else the refusal. */
        StatusRuntimeException refusal(WatchRequest r);

        /** The stream ended: nothing more to check. */
        void ended();

        /**
         * What of {@code r} the caller may see now: {@code r}, a copy without the events it may
         * not read, or null to send nothing.
         */
        default WatchResponse visible(WatchResponse r) {
            return r;
        }
    }

    private final Sink sink;
    private final Function<Throwable, ApiError> describe;
    private final Check check;
    private final Call call = new Call();
    private StreamObserver<WatchRequest> requests;

    LocalWatch(Sink sink, Function<Throwable, ApiError> describe, Check check) {
        this.sink = sink;
        this.describe = describe;
        this.check = check;
    }

    Call call() {
        return call;
    }

    void attach(StreamObserver<WatchRequest> requests) {
        this.requests = requests;
        check.started(this);
    }

    /**
     * Sends a create, cancel or progress request into the stream; one the caller may not send
     * ends the stream with the refusal ({@link Sink#onError}).
     */
    public void send(WatchRequest r) {
        StatusRuntimeException refused = check.refusal(r);
        if (refused != null) {
            revoke(refused);
            return;
        }
        requests.onNext(r);
    }

    /** Ends the stream with {@code refusal}: the sink hears it, then the watches are dropped. */
    void revoke(StatusRuntimeException refusal) {
        call.onError(refusal);
        close();
    }

    /** The sink has room again: the stream resumes sending. */
    public void ready() {
        Runnable r = call.onReady;
        if (r != null) {
            r.run();
        }
    }

    /** Ends the stream and drops its watches (as a client cancelling its gRPC call). */
    @Override
    public void close() {
        if (call.cancelled) {
            return;
        }
        call.cancelled = true;
        check.ended();
        Runnable r = call.onCancel;
        if (r != null) {
            r.run();
        }
    }

    /** The stand-in for the gRPC server call the Watch service writes to. */
    final class Call extends ServerCallStreamObserver<WatchResponse> {
        volatile boolean cancelled;
        volatile Runnable onReady;
        volatile Runnable onCancel;

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void setOnCancelHandler(Runnable handler) {
            onCancel = handler;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public boolean isReady() {
            return !cancelled && sink.hasRoom();
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
            onReady = handler;
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void onNext(WatchResponse value) {
            if (!cancelled) {
                WatchResponse shown = check.visible(value);
                if (shown != null) {
                    sink.onResponse(shown);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!cancelled) {
                sink.onError(describe.apply(t));
            }
        }

        @Override
        public void onCompleted() {
        }
    }
}
