package io.kvorum.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.kvorum.server.metrics.KvorumMetrics;
import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.node.RaftNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The admin HTTP port: {@code GET /health}, {@code /ready}, {@code /status} (JSON) and
 * {@code /metrics} (Prometheus text format). Served by the JDK's HTTP server on one thread:
 * every answer is built from the node's last published {@link NodeStatus}, never by
 * waiting on the raft loop, so a busy or stuck loop cannot hang a health check.
 */
public final class AdminServer implements AutoCloseable {
    /** Applied may trail commit by this much and still count as healthy. */
    static final long HEALTHY_APPLY_LAG = 1000;
    /** Readiness to serve clients asks for a tighter lag. */
    static final long READY_APPLY_LAG = 100;

    static {
        // TCP_NODELAY on the JDK server's connections, read once at the JVM's first server (this
        // one, in kvorum-server): without it Nagle's algorithm holds a response's body, written
        // after its headers, until the client's delayed ACK. HttpApiServer sets it too.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer http;
    private final RaftNode node;

    /** Plain HTTP, with no alarms and no limits to show. */
    public AdminServer(InetSocketAddress listen, RaftNode node, KvorumMetrics metrics) throws IOException {
        this(listen, node, metrics, List::of, "{}", Map::of, null);
    }

    /**
     * @param alarms     the node's raised alarms, in words, shown in {@code /status}
     * @param limitsJson the limits this node enforces, a JSON object shown in {@code /status}
     * @param tls        null for plain HTTP; else HTTPS only (TLS 1.3 and 1.2), with no client
     *                   certificate asked for: the endpoints only report health and figures
     */
    public AdminServer(InetSocketAddress listen, RaftNode node, KvorumMetrics metrics, Supplier<List<String>> alarms,
                       String limitsJson) throws IOException {
        this(listen, node, metrics, alarms, limitsJson, Map::of, null);
    }

    /** As above, served over HTTPS with {@code tls} (null: plain HTTP). */
    public AdminServer(InetSocketAddress listen, RaftNode node, KvorumMetrics metrics, Supplier<List<String>> alarms,
                       String limitsJson, SSLContext tls) throws IOException {
        this(listen, node, metrics, alarms, limitsJson, Map::of, tls);
    }

    /** As above, showing each member's labels ({@code memberLabels}: member id -> labels) in {@code /status}. */
    public AdminServer(InetSocketAddress listen, RaftNode node, KvorumMetrics metrics, Supplier<List<String>> alarms,
                       String limitsJson, Supplier<Map<Long, MemberLabels>> memberLabels, SSLContext tls)
            throws IOException {
        this.node = node;
        if (tls == null) {
            this.http = HttpServer.create(listen, 64);
        } else {
            HttpsServer https = HttpsServer.create(listen, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = tls.getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                    p.setNeedClientAuth(false);
                    params.setSSLParameters(p);
                }
            });
            this.http = https;
        }
        http.createContext("/health", ex -> respondCheck(ex, health(node.status(), HEALTHY_APPLY_LAG)));
        http.createContext("/ready", ex -> respondCheck(ex, health(node.status(), READY_APPLY_LAG)));
        http.createContext("/status", ex -> respond(ex, 200, "application/json", StatusJson.of(node.status(),
                node.fsyncCount(), alarms.get(), limitsJson, memberLabels.get())));
        http.createContext("/metrics", ex -> respond(ex, 200, metrics.contentType(), metrics.scrape()));
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        }));
    }

    public void start() {
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Null when healthy, else the reason it is not. */
    static String health(NodeStatus s, long maxLag) {
        if (s.leaderId() == 0) {
            return "no leader known";
        }
        long lag = s.commitIndex() - s.appliedIndex();
        if (lag > maxLag) {
            return "applied index " + s.appliedIndex() + " trails commit index " + s.commitIndex() + " by " + lag;
        }
        return null;
    }

    private static void respondCheck(HttpExchange ex, String problem) throws IOException {
        respond(ex, problem == null ? 200 : 503, "application/json", StatusJson.check(problem));
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        respond(ex, code, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        try (ex) {
            byte[] bytes = body;
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                code = 405;
                type = "application/json";
                bytes = "{\"error\":\"only GET is supported\"}\n".getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
    }

}
