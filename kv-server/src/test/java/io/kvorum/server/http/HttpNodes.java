package io.kvorum.server.http;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP API server on an ephemeral loopback port for nodes of an {@link InJvmCluster}, with
 * the {@link HealthChecker} a server runs beside it, and a JDK {@link HttpClient} to call them.
 * Close it before the cluster.
 */
final class HttpNodes implements AutoCloseable {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final InJvmCluster cluster;
    private final Map<Long, HttpApiServer> servers = new TreeMap<>();
    private final Map<Long, HealthChecker> checkers = new TreeMap<>();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    HttpNodes(InJvmCluster cluster) {
        this.cluster = cluster;
    }

    /** Serves node {@code id}'s client API over HTTP (the node must be running). */
    HttpApiServer start(long id) throws IOException {
        HttpApiServer s = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0),
                cluster.node(id).server().calls());
        servers.put(id, s);
        checkers.put(id, HealthChecker.start(cluster.node(id).server().calls()));
        return s;
    }

    HttpApiServer server(long id) {
        return servers.get(id);
    }

    void stop(long id) {
        HttpApiServer s = servers.remove(id);
        if (s != null) {
            s.close();
        }
        HealthChecker c = checkers.remove(id);
        if (c != null) {
            c.close();
        }
    }

    URI uri(long id, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + servers.get(id).port() + pathAndQuery);
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(long id, String pathAndQuery) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(id, pathAndQuery)).GET());
    }

    HttpResponse<byte[]> method(long id, String method, String pathAndQuery, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(id, pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    HttpResponse<byte[]> text(long id, String method, String pathAndQuery, String text)
            throws IOException, InterruptedException {
        return method(id, method, pathAndQuery, "text/plain", text.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> json(long id, String method, String pathAndQuery, String json)
            throws IOException, InterruptedException {
        return method(id, method, pathAndQuery, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static JsonObject body(HttpResponse<byte[]> r) {
        return JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** The error object of an error response. */
    static JsonObject error(HttpResponse<byte[]> r) {
        return body(r).getAsJsonObject("error");
    }

    static String reason(HttpResponse<byte[]> r) {
        return error(r).get("reason").getAsString();
    }

    @Override
    public void close() {
        servers.keySet().stream().toList().forEach(this::stop);
    }
}
