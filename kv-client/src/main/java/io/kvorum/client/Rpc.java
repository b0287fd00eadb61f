package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** One unary gRPC call as a future; cancelling the future cancels the call. */
final class Rpc {
    private Rpc() {
    }

    static <Req, Resp> CompletableFuture<Resp> unary(Channel channel, MethodDescriptor<Req, Resp> method,
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
