package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * One point call as a future: an item of the channel's Batch stream when the channel batches
 * ({@link BatchingChannel}), else a unary gRPC call. Either way the future completes with the
 * response or fails with the call's {@link io.grpc.StatusRuntimeException}; cancelling it drops
 * the answer (and cancels a unary call).
 */
final class Rpc {
    private Rpc() {
    }

    static <Req, Resp> CompletableFuture<Resp> unary(Channel channel, MethodDescriptor<Req, Resp> method,
                                                     CallOptions options, Req request) {
        if (channel instanceof BatchingChannel b) {
            CompletableFuture<Resp> batched = b.batcher().submit(method, options, request);
            if (batched != null) {
                return batched;
            }
        }
        return call(channel, method, options, request);
    }

    /** A unary gRPC call, never batched. */
    static <Req, Resp> CompletableFuture<Resp> call(Channel channel, MethodDescriptor<Req, Resp> method,
                                                    CallOptions options, Req request) {
        ClientCall<Req, Resp> call = channel.newCall(method, options);
        CallFuture<Resp> future = new CallFuture<>(call);
        ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
            @Override
            public void onNext(Resp value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                // onNext already completed the future
            }
        });
        return future;
    }

    private static final class CallFuture<T> extends CompletableFuture<T> {
        private final ClientCall<?, ?> call;

        CallFuture(ClientCall<?, ?> call) {
            this.call = call;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                call.cancel("cancelled by the caller", null);
            }
            return cancelled;
        }
    }
}
