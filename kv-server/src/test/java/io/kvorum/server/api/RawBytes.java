package io.kvorum.server.api;

import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/** Sends hand-made request bytes, such as a string field that is not UTF-8, which no generated client can. */
final class RawBytes {
    /** Bytes in, bytes out: for calls whose request (or answer) the test makes (or reads) by hand. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new Marshaller();

    /** "/a" followed by a broken two-byte sequence. */
    static final byte[] BAD_UTF8 = {'/', 'a', (byte) 0xC3, (byte) 0x28};

    private RawBytes() {
    }

    /** Calls {@code method} with {@code bytes} as its request. */
    static <Q, R> R unary(Channel channel, MethodDescriptor<Q, R> method, byte[] bytes) {
        return ClientCalls.blockingUnaryCall(channel, asBytes(method),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), bytes);
    }

    static <Q, R> MethodDescriptor<byte[], R> asBytes(MethodDescriptor<Q, R> method) {
        return method.toBuilder(BYTES, method.getResponseMarshaller()).build();
    }

    /** A message with {@code field} set to {@code value}, whatever bytes they are. */
    static byte[] lengthDelimited(int field, byte[] value) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bos);
            out.writeByteArray(field, value);
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Marshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
