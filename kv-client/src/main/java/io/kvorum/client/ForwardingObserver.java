package io.kvorum.client;

import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;

/**
 * The response side of one of the client's long-lived streams (keep-alive, watch): hands each
 * response to {@code onResponse} and the stream's end to {@code onClosed}, with the error, or
 * {@code null} when the server completed it.
 */
final class ForwardingObserver<T> implements StreamObserver<T> {
    private final Consumer<T> onResponse;
    private final Consumer<Throwable> onClosed;

    ForwardingObserver(Consumer<T> onResponse, Consumer<Throwable> onClosed) {
        this.onResponse = onResponse;
        this.onClosed = onClosed;
    }

    @Override
    public void onNext(T response) {
        onResponse.accept(response);
    }

    @Override
    public void onError(Throwable t) {
        onClosed.accept(t);
    }

    @Override
    public void onCompleted() {
        onClosed.accept(null);
    }
}
