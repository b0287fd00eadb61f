package io.kvorum.server.tls;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC's server TLS, plus a plain answer to a plaintext caller: a connection whose first byte
 * does not start a TLS handshake gets an HTTP/2 GOAWAY (INADEQUATE_SECURITY) whose text says
 * the port requires TLS, so the caller's error names the problem instead of "network closed
 * for unknown reason". Nothing is served without TLS.
 */
public final class TlsOnlyNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private static final Logger LOG = LoggerFactory.getLogger(TlsOnlyNegotiator.class);
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;
    private static final int INADEQUATE_SECURITY = 0xc;

    private final InternalProtocolNegotiator.ProtocolNegotiator tls;
    private final String portName;

    private TlsOnlyNegotiator(SslContext context, String portName) {
        this.tls = InternalProtocolNegotiators.serverTls(context);
        this.portName = portName;
    }

    /** TLS with {@code context}; {@code portName} ("client port") goes into the refusal text. */
    public static InternalProtocolNegotiator.ProtocolNegotiator of(SslContext context, String portName) {
        return new TlsOnlyNegotiator(context, portName);
    }

    @Override
    public AsciiString scheme() {
        return tls.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new FirstByteCheck(tls.newHandler(grpcHandler));
    }

    @Override
    public void close() {
        tls.close();
    }

    /** Sits in front of the TLS handlers until the first byte shows whether the caller speaks TLS. */
    private final class FirstByteCheck extends ChannelInboundHandlerAdapter {
        private final ChannelHandler tlsHandler;

        FirstByteCheck(ChannelHandler tlsHandler) {
            this.tlsHandler = tlsHandler;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addAfter(ctx.name(), null, tlsHandler);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf in && in.isReadable()) {
                if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
                    ctx.pipeline().remove(this);
                    ctx.fireChannelRead(msg);
                    return;
                }
                in.release();
                LOG.debug("refused a plaintext connection to the TLS-only {} from {}", portName,
                        ctx.channel().remoteAddress());
                ctx.writeAndFlush(goAway("this Kvorum " + portName + " requires TLS: connect with TLS "
                        + "(kvorum --cacert, or KvorumClient.builder().tls(...))"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        /** An empty SETTINGS frame (the server preface), then GOAWAY with {@code text} as debug data. */
        private ByteBuf goAway(String text) {
            byte[] debug = text.getBytes(StandardCharsets.UTF_8);
            ByteBuf b = Unpooled.buffer(9 + 9 + 8 + debug.length);
            b.writeMedium(0).writeByte(0x4).writeByte(0).writeInt(0);
            b.writeMedium(8 + debug.length).writeByte(0x7).writeByte(0).writeInt(0);
            b.writeInt(0).writeInt(INADEQUATE_SECURITY).writeBytes(debug);
            return b;
        }
    }
}
