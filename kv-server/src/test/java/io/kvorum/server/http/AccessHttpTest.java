package io.kvorum.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.kvorum.server.api.Caller;
import io.kvorum.server.testing.InJvmCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access check is consulted for every routed request with what it names, and its refusal
 * is a 401 or 403 JSON error with nothing done.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessHttpTest {
    @TempDir
    Path dir;

    @Test
    void refusalsAre401Or403AndNothingIsDone() throws Exception {
        List<HttpAccess.Request> asked = new CopyOnWriteArrayList<>();
        HttpAccess tokens = r -> {
            asked.add(r);
            String auth = r.headers().getFirst("Authorization");
            if (auth == null) {
                throw new HttpAccess.Denied(false, "no credentials: send Authorization: Bearer <token>");
            }
            if (!auth.equals("Bearer writer") && !r.method().equals("GET")) {
                throw new HttpAccess.Denied(true, "this token may only read");
            }
            return Caller.anonymous(r.remote());
        };
        try (InJvmCluster cluster = new InJvmCluster(dir, 1, "http-access")) {
            cluster.startAll();
            cluster.awaitLeader();
            HttpApiServer server = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0),
                    cluster.node(1).server().calls(), tokens, null, HttpApiServer.DEFAULT_MAX_WAITING);
            try {
                HttpClient client = HttpClient.newHttpClient();
                URI node = URI.create("http://127.0.0.1:" + server.port() + "/v1/nodes/guarded");
                HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(node)
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, anonymous.statusCode());
                assertEquals("UNAUTHENTICATED", JsonParser.parseString(anonymous.body()).getAsJsonObject()
                        .getAsJsonObject("error").get("code").getAsString());
                assertEquals("UNAUTHENTICATED", JsonParser.parseString(anonymous.body()).getAsJsonObject()
                        .getAsJsonObject("error").get("reason").getAsString());
                HttpResponse<String> reader = client.send(HttpRequest.newBuilder(node).header("Authorization",
                        "Bearer reader").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, reader.statusCode());
                assertEquals(404, client.send(HttpRequest.newBuilder(node).header("Authorization", "Bearer reader")
                        .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "nothing was created");
                assertEquals(201, client.send(HttpRequest.newBuilder(node).header("Authorization", "Bearer writer")
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
                HttpAccess.Request first = asked.get(0);
                assertEquals("POST", first.method());
                assertEquals("/v1/nodes/{path}", first.route());
                assertEquals("/guarded", first.nodePath());
            } finally {
                server.close();
            }
        }
    }
}
