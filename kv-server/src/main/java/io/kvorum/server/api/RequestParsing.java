package io.kvorum.server.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a service so that a request that does not parse is answered INVALID_ARGUMENT
 * ("request is not valid: path is not valid UTF-8"), not UNKNOWN: gRPC turns a marshaller's
 * exception into an application error. Each method gets a request marshaller that returns an
 * {@link UnparsableRequest} instead of throwing, and a handler that closes such a call before
 * the service ever sees it. Responses are marshalled as before.
 */
public final class RequestParsing {
    private RequestParsing() {
    }

    public static ServerServiceDefinition wrap(ServerServiceDefinition service) {
        ServiceDescriptor old = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            // A method whose request marshaller is not protobuf's parses leniently on its own (Batch).
            boolean protobuf = m.getMethodDescriptor().getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller;
            methods.add(protobuf ? wrap(m) : m);
        }
        ServiceDescriptor.Builder sd = ServiceDescriptor.newBuilder(old.getName())
                .setSchemaDescriptor(old.getSchemaDescriptor());
        methods.forEach(m -> sd.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(sd.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    private static <ReqT, RespT> ServerMethodDefinition<Object, RespT> wrap(ServerMethodDefinition<ReqT, RespT> m) {
        MethodDescriptor<ReqT, RespT> md = m.getMethodDescriptor();
        MethodDescriptor<Object, RespT> lenient = md.toBuilder(new LenientMarshaller<>(md.getRequestMarshaller()),
                md.getResponseMarshaller()).build();
        return ServerMethodDefinition.create(lenient, new GuardedHandler<>(m.getServerCallHandler()));
    }

    /** Parses like the generated marshaller, but hands back an {@link UnparsableRequest} on failure. */
    static final class LenientMarshaller<T> implements MethodDescriptor.Marshaller<Object> {
        private final MethodDescriptor.Marshaller<T> original;
        private final Message prototype;

        @SuppressWarnings("unchecked")
        LenientMarshaller(MethodDescriptor.Marshaller<T> original) {
            this.original = original;
            if (!(original instanceof MethodDescriptor.PrototypeMarshaller<?> pm)
                    || !(pm.getMessagePrototype() instanceof Message proto)) {
                throw new IllegalArgumentException("not a protobuf marshaller: " + original);
            }
            this.prototype = proto;
        }

        @Override
        @SuppressWarnings("unchecked")
        public InputStream stream(Object value) {
            return original.stream((T) value);
        }

        @Override
        public Object parse(InputStream stream) {
            // The generated marshaller also reads a known-length message into one array first.
            byte[] bytes;
            try {
                bytes = MessageBytes.read(stream);
            } catch (IOException e) {
                return new UnparsableRequest(null, "it could not be read (" + e.getMessage() + ")");
            }
            try {
                return prototype.getParserForType().parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                return UnparsableRequest.of(prototype.getDescriptorForType(), bytes, e);
            }
        }
    }

    /** Refuses unparsable requests, forwarding everything else to the service's own handler. */
    private static final class GuardedHandler<ReqT, RespT> implements ServerCallHandler<Object, RespT> {
        private final ServerCallHandler<ReqT, RespT> inner;

        GuardedHandler(ServerCallHandler<ReqT, RespT> inner) {
            this.inner = inner;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public ServerCall.Listener<Object> startCall(ServerCall<Object, RespT> call, Metadata headers) {
            GuardedCall<RespT> guarded = new GuardedCall<>(call);
            ServerCall.Listener<ReqT> listener = inner.startCall((ServerCall) guarded, headers);
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(Object message) {
                    if (guarded.rejected()) {
                        return;
                    }
                    if (message instanceof UnparsableRequest bad) {
                        guarded.reject(bad.status());
                        listener.onCancel(); // the service releases whatever it holds for the call
                        return;
                    }
                    listener.onMessage((ReqT) message);
                }

                @Override
                public void onHalfClose() {
                    if (!guarded.rejected()) {
                        listener.onHalfClose();
                    }
                }

                @Override
                public void onCancel() {
                    if (!guarded.rejected()) {
                        listener.onCancel();
                    }
                }

                @Override
                public void onComplete() {
                    if (!guarded.rejected()) {
                        listener.onComplete();
                    }
                }

                @Override
                public void onReady() {
                    if (!guarded.rejected()) {
                        listener.onReady();
                    }
                }
            };
        }
    }

    /**
     * The call as the service sees it: once a request was refused, whatever the service still
     * sends is dropped (the call is closed already).
     */
    private static final class GuardedCall<RespT> extends CloseOnceCall<Object, RespT> {
        private volatile boolean rejected;

        GuardedCall(ServerCall<Object, RespT> call) {
            super(call);
        }

        boolean rejected() {
            return rejected;
        }

        void reject(StatusRuntimeException e) {
            rejected = true;
            closeIfOpen(e);
        }
    }
}
