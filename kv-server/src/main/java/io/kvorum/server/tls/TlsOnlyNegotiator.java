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
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC's server TLS, plus a plain answer to a plaintext caller: a connection whose first byte
 * does not start a TLS handshake gets an HTTP/2 GOAWAY (INADEQUATE_SECURITY) whose text says
 * the port requires TLS, so the caller's error names the problem instead of "network closed
 * for unknown reason". An HTTP/2 caller gets it once its first request is on the wire (or
 * after 2 s), so that request fails with the text rather than being retried. Nothing is
 * served without TLS: nothing the caller sends is read but frame headers.
 */
public final class TlsOnlyNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private static final Logger LOG = LoggerFactory.getLogger(TlsOnlyNegotiator.class);
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;
    private static final int INADEQUATE_SECURITY = 0xc;
    private static final byte HEADERS = 0x1;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** How long a plaintext HTTP/2 caller has to send its first request before it is refused anyway. */
    private static final long REQUEST_WAIT_MILLIS = 2000;

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

    /**
     * Logs a TLS handshake the port refused (a certificate of another CA, an expired one, none
     * where one is required, a client that does not trust ours) with the caller's address and
     * the reason, which gRPC would only log at FINE; then steps aside. A connection closed
     * before or during its handshake (a TCP probe) is no refusal and is not logged.
     */
    private final class RefusalLog extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (!done.isSuccess() && done.cause() instanceof SSLException refusal) {
                    LOG.warn("refused a TLS connection to the {} from {}: {}", portName, ctx.channel().remoteAddress(),
                            reason(refusal));
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** The exception's message and its innermost cause's, which says what was wrong with a certificate. */
        private static String reason(Throwable t) {
            if (String.valueOf(t.getMessage()).contains("Empty client certificate chain")) {
                // The JDK sends no certificate at all when it has none of a CA this port names.
                return "the caller presented no certificate signed by this port's CA (" + t.getMessage() + ")";
            }
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root == t ? String.valueOf(t.getMessage())
                    : t.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
    }

    /** Sits in front of the TLS handlers until the first byte shows whether the caller speaks TLS. */
    private final class FirstByteCheck extends ChannelInboundHandlerAdapter {
        private final ChannelHandler tlsHandler;
        /** Refusing a plaintext caller: what it sent after our SETTINGS, until its first request. */
        private ByteBuf refusing;
        private boolean refused;
        private int lastStream;

        FirstByteCheck(ChannelHandler tlsHandler) {
            this.tlsHandler = tlsHandler;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addAfter(ctx.name(), null, tlsHandler);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf in)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (refused) {
                in.release();
                return;
            }
            if (refusing != null) {
                refusing.writeBytes(in);
                in.release();
                if (sawRequest()) {
                    refuse(ctx);
                }
                return;
            }
            if (!in.isReadable()) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
                // gRPC's TLS handler put its SslHandler in front of itself: listen between the two.
                ChannelHandlerContext ssl = ctx.pipeline().context(SslHandler.class);
                if (ssl != null) {
                    ctx.pipeline().addAfter(ssl.name(), null, new RefusalLog());
                }
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(msg);
                return;
            }
            LOG.debug("refused a plaintext connection to the TLS-only {} from {}", portName,
                    ctx.channel().remoteAddress());
            boolean http2 = in.readableBytes() >= PREFACE.length && in.toString(in.readerIndex(), PREFACE.length,
                    StandardCharsets.ISO_8859_1).equals(new String(PREFACE, StandardCharsets.ISO_8859_1));
            if (!http2) {
                in.release();
                ctx.writeAndFlush(settings().writeBytes(goAway(0))).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            // An HTTP/2 client (gRPC): answer its preface, and refuse once its first request is
            // on the wire. A GOAWAY covering a request that was sent fails that call with our
            // text; one arriving before any request would leave the calls "never sent", which
            // gRPC retries transparently on a new connection, over and over, until a deadline.
            refusing = ctx.alloc().buffer();
            refusing.writeBytes(in, in.readerIndex() + PREFACE.length, in.readableBytes() - PREFACE.length);
            in.release();
            ctx.writeAndFlush(settings());
            ctx.executor().schedule(() -> {
                if (ctx.channel().isActive()) {
                    refuse(ctx);
                }
            }, REQUEST_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (sawRequest()) {
                refuse(ctx);
            }
        }

        /** Walks the frames received so far; true once a HEADERS frame (a request) came. */
        private boolean sawRequest() {
            while (refusing.readableBytes() >= 9) {
                int at = refusing.readerIndex();
                int length = refusing.getUnsignedMedium(at);
                if (refusing.readableBytes() < 9 + length) {
                    return false;
                }
                byte type = refusing.getByte(at + 3);
                int stream = refusing.getInt(at + 5) & Integer.MAX_VALUE;
                refusing.skipBytes(9 + length);
                if (type == HEADERS) {
                    lastStream = Math.max(lastStream, stream);
                    return true;
                }
            }
            return false;
        }

        private void refuse(ChannelHandlerContext ctx) {
            if (refused) {
                return;
            }
            refused = true;
            refusing.release();
            refusing = null;
            ctx.writeAndFlush(goAway(lastStream)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (refusing != null) {
                refusing.release();
                refusing = null;
            }
        }

        /** An empty SETTINGS frame: the server preface. */
        private ByteBuf settings() {
            return Unpooled.buffer(9).writeMedium(0).writeByte(0x4).writeByte(0).writeInt(0);
        }

        /** GOAWAY (INADEQUATE_SECURITY) covering streams up to {@code lastStreamId}, saying TLS is required. */
        private ByteBuf goAway(int lastStreamId) {
            byte[] debug = ("this Kvorum " + portName + " requires TLS: connect with TLS "
                    + "(kvorum --cacert, or KvorumClient.builder().tls(...))").getBytes(StandardCharsets.UTF_8);
            ByteBuf b = Unpooled.buffer(9 + 8 + debug.length);
            b.writeMedium(8 + debug.length).writeByte(0x7).writeByte(0).writeInt(0);
            b.writeInt(lastStreamId).writeInt(INADEQUATE_SECURITY).writeBytes(debug);
            return b;
        }
    }
}
