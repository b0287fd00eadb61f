package io.kvorum.server.api;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers a unary call from a future: the value, or the failure mapped by {@link Errors}. A
 * call the client already cancelled (or whose deadline gRPC already enforced) is left alone.
 * The answer is sent on the thread that completes the future; for a write that is the raft
 * loop, which only serializes a small response and queues it to Netty (no hand-off per write).
 */
final class Replies {
    private final Errors errors;

    Replies(Errors errors) {
        this.errors = errors;
    }

    /** Runs {@code work} (which may throw, e.g. a validation error) and answers with its result. */
    <T> void reply(StreamObserver<T> observer, Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> f;
        try {
            f = work.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((value, failure) -> answer(observer, value, failure));
    }

    private <T> void answer(StreamObserver<T> observer, T value, Throwable failure) {
        if (observer instanceof ServerCallStreamObserver<T> so && so.isCancelled()) {
            return;
        }
        try {
            if (failure == null) {
                observer.onNext(value);
                observer.onCompleted();
            } else {
                observer.onError(errors.toStatus(failure));
            }
        } catch (StatusRuntimeException | IllegalStateException e) {
            // Cancelled or closed between the check and the answer: nobody is listening.
        }
    }
}
