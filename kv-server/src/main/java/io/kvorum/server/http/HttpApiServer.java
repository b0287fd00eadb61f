package io.kvorum.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.api.Caller;
import io.kvorum.server.api.ClientCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON API ({@code --http-listen}; docs/http-api.md, docs/http-api.yaml): HTTP/1.1 with
 * keep-alive on the JDK's own server ({@code com.sun.net.httpserver}: no new dependency, and
 * every call is small and answered from a future). Each request is routed ({@link Router}),
 * identified by the {@link HttpAccess} (the one place where credentials plug in), and served as
 * that {@link Caller} by a route class calling {@link ClientCalls}, i.e. the gRPC services' own
 * handlers, which check the caller's rights call by call. TLS plugs
 * in by passing an {@link HttpsConfigurator}: the server is then an {@link HttpsServer}.
 *
 * <p>Threads: one per request being served (a cached pool); a blocking query or event stream
 * keeps its thread while it waits, so at most {@code maxWaiting} of them are admitted at once.
 */
public final class HttpApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiServer.class);
    /** Blocking queries and event streams one node serves at once, by default. */
    public static final int DEFAULT_MAX_WAITING = 1024;
    /** Room above max-request-bytes for a body's JSON wrapping (base64 grows data by a third). */
    static final int BODY_SLACK_BYTES = 64 * 1024;

    static {
        // TCP_NODELAY on the JDK server's connections (it reads this once, at its first server in
        // the JVM: AdminServer sets it too). The server writes a response's headers and body
        // apart, and Nagle's algorithm held the body until the client's delayed ACK: 40 ms on
        // Linux, up to 200 ms elsewhere, e.g. on a blocking query's answer (WatchHttpTest).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final Router router = new Router();
    private final ClientCalls calls;
    private final HttpAccess access;
    private final int maxBodyBytes;
    private final ChangeWaiter waiter;
    private volatile boolean stopping;

    /**
     * HTTPS with {@code context}: TLS 1.3 and 1.2 only, a client certificate required when
     * {@code needClientAuth}, as on the other ports.
     */
    public static HttpsConfigurator https(SSLContext context, boolean needClientAuth) {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = context.getDefaultSSLParameters();
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                // As on the client port: a certificate is asked for always (its common name may
                // stand for the user) and required with needClientAuth.
                if (needClientAuth) {
                    p.setNeedClientAuth(true);
                } else {
                    p.setWantClientAuth(true);
                }
                params.setSSLParameters(p);
            }
        };
    }

    /** Plain HTTP, every request anonymous (served while the cluster's auth is disabled). */
    public HttpApiServer(InetSocketAddress listen, ClientCalls calls) throws IOException {
        this(listen, calls, HttpAccess.anonymous(), null, DEFAULT_MAX_WAITING);
    }

    /**
     * Binds {@code listen} and starts serving.
     *
     * @param access     identifies the caller of every request before it is served
     * @param tls        null for plain HTTP, else HTTPS configured by it
     * @param maxWaiting blocking queries and event streams served at once
     */
    public HttpApiServer(InetSocketAddress listen, ClientCalls calls, HttpAccess access, HttpsConfigurator tls,
                         int maxWaiting) throws IOException {
        this.calls = calls;
        this.access = access;
        long limit = (long) calls.maxRequestBytes() * 4 / 3 + BODY_SLACK_BYTES;
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE - 8, limit);
        this.waiter = new ChangeWaiter(calls, maxWaiting);
        new NodeRoutes(calls, waiter).register(router);
        new SessionRoutes(calls).register(router);
        new WatchRoutes(calls, waiter, () -> stopping).register(router);
        new CatalogRoutes(calls, waiter).register(router);
        new AuthRoutes(calls).register(router);
        if (tls == null) {
            server = HttpServer.create(listen, 0);
        } else {
            HttpsServer https = HttpsServer.create(listen, 0);
            https.setHttpsConfigurator(tls);
            server = https;
        }
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kvorum-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::serve);
        server.start();
        LOG.info("HTTP API on {}{}", server.getAddress(), tls == null ? "" : " (TLS)");
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Blocking queries and event streams being served now. */
    public int waiting() {
        return waiter.waiting();
    }

    /** Every route served, as "METHOD /template" (what the OpenAPI document must list). */
    public List<String> routes() {
        return router.routes().stream().map(r -> r.method() + " " + r.template()).toList();
    }

    /** Every route with the query parameters it takes. */
    List<Router.Route> routeTable() {
        return router.routes();
    }

    private void serve(HttpExchange exchange) {
        HttpCall call = null;
        try {
            Router.Match match = router.match(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
            HttpCall c = new HttpCall(exchange, match, maxBodyBytes, calls::describe);
            call = c;
            check(exchange, c, match).run(() -> match.route().handler().handle(c));
        } catch (HttpProblem p) {
            answer(exchange, call, p);
        } catch (IOException e) {
            LOG.debug("HTTP client went away: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("unexpected failure serving {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            answer(exchange, call, new HttpProblem(500, "INTERNAL", ErrorReason.ERROR_REASON_UNSPECIFIED,
                    "internal error: " + e, Map.of()));
        } finally {
            exchange.close();
        }
    }

    /** The caller the request acts as; a refusal is its HTTP error. */
    private Caller check(HttpExchange exchange, HttpCall call, Router.Match match) {
        String nodePath = match.pathParams().containsKey("path") ? call.nodePath() : null;
        try {
            return access.check(new HttpAccess.Request(exchange.getRequestMethod(), match.route().template(),
                    nodePath, exchange.getRequestHeaders(), exchange.getRemoteAddress(), clientCertificate(exchange)));
        } catch (HttpAccess.Denied d) {
            throw new HttpProblem(d.error());
        }
    }

    /** The verified certificate the client presented over HTTPS, or null. */
    private static X509Certificate clientCertificate(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https) || https.getSSLSession() == null) {
            return null;
        }
        try {
            Certificate[] chain = https.getSSLSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }

    /** Sends the error unless a streamed answer already started (then the stream just ends). */
    private static void answer(HttpExchange exchange, HttpCall call, HttpProblem p) {
        if (call != null && call.answered()) {
            return;
        }
        try {
            HttpCall.fail(exchange, p);
        } catch (IOException e) {
            LOG.debug("HTTP client went away before its error: {}", e.toString());
        }
    }

    /** Stops taking requests, ends event streams, and waits a moment for answers in flight. */
    @Override
    public void close() {
        stopping = true;
        server.stop(1);
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
