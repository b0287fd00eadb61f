package io.kvorum.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.RoleAddRequest;
import io.kvorum.proto.v1.RoleGrantPermissionRequest;
import io.kvorum.proto.v1.RoleRevokePermissionRequest;
import io.kvorum.proto.v1.UserAddRequest;
import io.kvorum.proto.v1.UserGrantRoleRequest;
import io.kvorum.server.api.ClientSecurity;
import io.kvorum.server.auth.Tokens;
import io.kvorum.server.testing.InJvmCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API under auth, end to end on a real node: the permission matrix (every endpoint
 * against every kind of caller gets exactly the status it should, 401 or 403 with the gRPC
 * API's reason codes, and a denied write changes nothing), logging in over HTTP, Basic
 * credentials slowed down after failures as logins are, and an event stream closed when the
 * right to read what it watches is revoked.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpPermissionMatrixTest {
    private static final int OK = 200;
    private static final int UNAUTH = 401;
    private static final int DENIED = 403;

    @TempDir
    static Path tmp;
    private InJvmCluster cluster;
    private HttpNodes http;
    private HttpApiServer server;
    private long rootSession;
    /** Users whose only job is to be called with a wrong password, one per matrix row. */
    private int victims;

    @BeforeAll
    void setUp() throws Exception {
        cluster = new InJvmCluster(tmp, 1, "http-auth").security(id -> ClientSecurity.of(null, false,
                Duration.ofMinutes(5), 1000));
        cluster.startAll();
        cluster.awaitLeader();
        Channel open = cluster.node(1).channel();
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(open);
        for (String u : List.of("root", "noroles", "reader", "other", "guesser-target")) {
            auth.userAdd(UserAddRequest.newBuilder().setName(u).setPassword(u + "-pw").build());
        }
        victims = endpoints().size();
        for (int i = 0; i < victims; i++) {
            auth.userAdd(UserAddRequest.newBuilder().setName("victim-" + i).setPassword("victim-pw").build());
        }
        auth.roleAdd(RoleAddRequest.newBuilder().setName("app-ro").build());
        for (String prefix : List.of("/app/", "/services/")) {
            auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("app-ro").setPermission(
                    Permission.newBuilder().setType(PermissionType.READ).setKey(prefix).setPrefix(true)).build());
        }
        auth.roleAdd(RoleAddRequest.newBuilder().setName("other-rw").build());
        auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("other-rw").setPermission(
                Permission.newBuilder().setType(PermissionType.READWRITE).setKey("/other/").setPrefix(true)).build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("reader").setRole("app-ro").build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("other").setRole("other-rw").build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(open);
        for (String p : List.of("/app", "/app/x", "/app/del", "/other", "/services")) {
            kv.create(CreateRequest.newBuilder().setPath(p).build());
        }
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
        server = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0), cluster.node(1).server().calls(),
                new CredentialsAccess(cluster.node(1).server().callerAccess()), null,
                HttpApiServer.DEFAULT_MAX_WAITING);
        http = new HttpNodes(cluster);
        HttpResponse<byte[]> opened = send("POST", "/v1/sessions?ttl=60s", null, bearer(login("root")));
        assertEquals(201, opened.statusCode(), new String(opened.body(), StandardCharsets.UTF_8));
        rootSession = HttpNodes.body(opened).get("id").getAsLong();
        // A service to read (health of one that does not exist also reads the root's revision),
        // and the instance the matrix deregisters: deregistering reads it first, so for a
        // caller who may read the catalog a missing one would be a 404 before any refusal.
        for (String id : List.of("w0", "w1")) {
            HttpResponse<byte[]> registered = send("PUT", "/v1/catalog/services/web/" + id,
                    "{\"address\":\"10.0.0.1\",\"port\":8080}", bearer(login("root")));
            assertEquals(OK, registered.statusCode(), new String(registered.body(), StandardCharsets.UTF_8));
        }
    }

    @AfterAll
    void tearDown() {
        if (server != null) {
            server.close();
        }
        cluster.close();
    }

    // ------------------------------------------------------------------ calling

    private HttpResponse<byte[]> send(String method, String pathAndQuery, String json,
                                      UnaryOperator<HttpRequest.Builder> credentials)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + pathAndQuery)).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(credentials.apply(b));
    }

    /** Only the status (and for an error, its body) of a request whose answer may be an endless stream. */
    private Answer status(String method, String pathAndQuery, String json,
                          UnaryOperator<HttpRequest.Builder> credentials) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + pathAndQuery)).timeout(HttpNodes.REQUEST_TIMEOUT).method(method, json == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<InputStream> r = http.client.send(credentials.apply(b).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            boolean stream = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
            return new Answer(r.statusCode(), stream ? new byte[0] : in.readAllBytes());
        }
    }

    private record Answer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private String login(String user) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send("POST", "/v1/auth/authenticate", "{\"user\":\"" + user + "\",\"password\":\""
                + user + "-pw\"}", b -> b);
        assertEquals(OK, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonObject o = HttpNodes.body(r);
        assertTrue(o.get("expiresAtMillis").getAsLong() > System.currentTimeMillis(), o.toString());
        return o.get("token").getAsString();
    }

    private static UnaryOperator<HttpRequest.Builder> bearer(String token) {
        return b -> b.header("Authorization", "Bearer " + token);
    }

    private static UnaryOperator<HttpRequest.Builder> basic(String user, String password) {
        String pair = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return b -> b.header("Authorization", "Basic " + pair);
    }

    private long revision() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send("GET", "/v1/nodes/app", null, basic("root", "root-pw"));
        assertEquals(OK, r.statusCode());
        return Long.parseLong(r.headers().firstValue("X-Kvorum-Revision").orElseThrow());
    }

    // ------------------------------------------------------------------ the matrix

    /** One endpoint of the matrix: the request, and what it needs. */
    private record Endpoint(String name, String needs, String method, String path, String json) {
    }

    private List<Endpoint> endpoints() {
        String registration = "{\"address\":\"10.0.0.1\",\"port\":8080}";
        List<Endpoint> e = new ArrayList<>();
        e.add(new Endpoint("GET node", "read", "GET", "/v1/nodes/app/x", null));
        e.add(new Endpoint("GET node, serializable", "read", "GET", "/v1/nodes/app/x?consistency=serializable", null));
        e.add(new Endpoint("GET node, blocking query", "read", "GET", "/v1/nodes/app/x?revision=1&wait=2s", null));
        e.add(new Endpoint("GET children", "read", "GET", "/v1/children/app", null));
        e.add(new Endpoint("GET children, blocking query", "read", "GET", "/v1/children/app?revision=1&wait=2s",
                null));
        e.add(new Endpoint("PUT node", "write", "PUT", "/v1/nodes/app/x", "{\"text\":\"2\"}"));
        e.add(new Endpoint("POST node", "write", "POST", "/v1/nodes/app/c", "{\"text\":\"c\"}"));
        e.add(new Endpoint("POST multi(check)", "read", "POST", "/v1/multi",
                "{\"ops\":[{\"check\":{\"path\":\"/app/x\"}}]}"));
        e.add(new Endpoint("POST multi(check,set)", "write", "POST", "/v1/multi",
                "{\"ops\":[{\"check\":{\"path\":\"/app/x\"}},{\"set\":{\"path\":\"/app/x\",\"text\":\"3\"}}]}"));
        e.add(new Endpoint("POST multi(read /app, write /other)", "write-other", "POST", "/v1/multi",
                "{\"ops\":[{\"check\":{\"path\":\"/app/x\"}},{\"create\":{\"path\":\"/other/m\"}}]}"));
        e.add(new Endpoint("GET watch /app (SSE)", "read", "GET", "/v1/watch/app?recursive", null));
        // Set for whoever may read something under the root; what it delivers is filtered.
        e.add(new Endpoint("GET watch / (SSE)", "read-somewhere", "GET", "/v1/watch/?recursive", null));
        e.add(new Endpoint("POST sessions", "any", "POST", "/v1/sessions?ttl=10s", null));
        e.add(new Endpoint("POST keepalive (root's session)", "owner", "POST", "/v1/sessions/{root}/keepalive",
                null));
        e.add(new Endpoint("PUT catalog instance", "write-catalog", "PUT", "/v1/catalog/services/web/w1",
                registration));
        e.add(new Endpoint("GET catalog services", "read-catalog", "GET", "/v1/catalog/services", null));
        e.add(new Endpoint("GET health of a service", "read-catalog", "GET", "/v1/health/service/web", null));
        e.add(new Endpoint("GET health, blocking query", "read-catalog", "GET",
                "/v1/health/service/web?revision=1&wait=2s", null));
        e.add(new Endpoint("DELETE catalog instance", "write-catalog", "DELETE", "/v1/catalog/services/web/w1",
                null));
        e.add(new Endpoint("DELETE node", "write", "DELETE", "/v1/nodes/app/del", null));
        e.add(new Endpoint("DELETE session (root's)", "owner", "DELETE", "/v1/sessions/{root}", null));
        e.add(new Endpoint("POST auth/authenticate", "none", "POST", "/v1/auth/authenticate",
                "{\"user\":\"noroles\",\"password\":\"noroles-pw\"}"));
        return e;
    }

    /** What a caller of each kind gets for an endpoint needing {@code needs}. */
    private static int expected(String caller, String needs) {
        if (needs.equals("none")) {
            return OK;
        }
        return switch (caller) {
            case "no credentials", "wrong password", "expired token", "invalid token" -> UNAUTH;
            case "no roles" -> needs.equals("any") ? OK : DENIED;
            case "readwrite on another prefix" -> needs.equals("any") || needs.equals("read-somewhere") ? OK : DENIED;
            case "read-only role" -> needs.equals("any") || needs.equals("read") || needs.equals("read-catalog")
                    || needs.equals("read-somewhere") ? OK : DENIED;
            case "admin" -> OK;
            default -> throw new IllegalArgumentException(caller);
        };
    }

    @Test
    void permissionMatrix() throws Exception {
        byte[] secret = cluster.node(1).state().auth().current().getTokenSecret().toByteArray();
        Map<String, UnaryOperator<HttpRequest.Builder>> callers = new LinkedHashMap<>();
        callers.put("no credentials", b -> b);
        callers.put("expired token", bearer(Tokens.issue(secret, new Tokens.Claims("root", 1,
                System.currentTimeMillis() - 1000))));
        callers.put("invalid token", bearer("not-a-token"));
        callers.put("no roles", bearer(login("noroles")));
        callers.put("read-only role", basic("reader", "reader-pw"));
        callers.put("readwrite on another prefix", bearer(login("other")));
        callers.put("admin", bearer(login("root")));
        List<String> mismatches = new ArrayList<>();
        List<Endpoint> endpoints = endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            // A wrong password for a user of its own: failures slow that user's next login down.
            check("wrong password", basic("victim-" + i, "not-the-password"), endpoints.get(i), mismatches);
        }
        for (Map.Entry<String, UnaryOperator<HttpRequest.Builder>> caller : callers.entrySet()) {
            for (Endpoint e : endpoints) {
                check(caller.getKey(), caller.getValue(), e, mismatches);
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    private void check(String caller, UnaryOperator<HttpRequest.Builder> credentials, Endpoint e,
                       List<String> mismatches) throws IOException, InterruptedException {
        long before = revision();
        String path = e.path().replace("{root}", Long.toString(rootSession));
        Answer got = status(e.method(), path, e.json(), credentials);
        int want = expected(caller, e.needs());
        boolean matches = want == OK ? got.status() / 100 == 2 : got.status() == want;
        if (!matches) {
            mismatches.add(caller + " x " + e.name() + ": got " + got.status() + " " + got.text() + ", want " + want);
            return;
        }
        if (want != OK) {
            JsonObject error = JsonParser.parseString(got.text()).getAsJsonObject()
                    .getAsJsonObject("error");
            String reason = want == UNAUTH ? "UNAUTHENTICATED" : "PERMISSION_DENIED";
            if (!reason.equals(error.get("code").getAsString()) || !reason.equals(error.get("reason").getAsString())) {
                mismatches.add(caller + " x " + e.name() + ": error " + error + ", want code and reason " + reason);
            }
            if (!e.method().equals("GET") && before != revision()) {
                mismatches.add(caller + " x " + e.name() + ": a refused request changed the state");
            }
        }
    }

    // ------------------------------------------------------------------ the rest

    @Test
    void basicCredentialsAreSlowedDownAfterFailuresAsLoginsAre() throws Exception {
        // The wait doubles per failure (up to 10 s), so within a few quick failures one lands
        // inside the wait, however slow the machine.
        HttpResponse<byte[]> last = null;
        for (int i = 0; i < 12; i++) {
            last = send("GET", "/v1/nodes/app/x", null, basic("guesser-target", "bad"));
            if (last.statusCode() != UNAUTH) {
                break;
            }
        }
        assertNotNull(last);
        assertEquals(429, last.statusCode(), new String(last.body(), StandardCharsets.UTF_8));
        assertEquals("TOO_MANY_ATTEMPTS", HttpNodes.reason(last));
        assertTrue(last.headers().firstValue("Retry-After").isPresent());
        assertTrue(HttpNodes.error(last).get("message").getAsString()
                .contains("too many failed logins for user guesser-target"), HttpNodes.error(last).toString());
    }

    @Test
    void loggingInNeedsTheRightPasswordAndAnswersAnExpiringToken() throws Exception {
        // A name of its own: a failure slows that name's next login down, and no other's.
        HttpResponse<byte[]> wrong = send("POST", "/v1/auth/authenticate",
                "{\"user\":\"no-such-user\",\"password\":\"nope\"}", b -> b);
        assertEquals(UNAUTH, wrong.statusCode());
        assertEquals("UNAUTHENTICATED", HttpNodes.reason(wrong));
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").contains("Bearer"));
        HttpResponse<byte[]> malformed = send("POST", "/v1/auth/authenticate", "{\"user\":\"noroles\"}", b -> b);
        assertEquals(400, malformed.statusCode());
        HttpResponse<byte[]> badHeader = send("GET", "/v1/nodes/app/x", null,
                b -> b.header("Authorization", "Digest abc"));
        assertEquals(UNAUTH, badHeader.statusCode());
        assertTrue(HttpNodes.error(badHeader).get("message").getAsString().contains("Bearer"));
        long expires = HttpNodes.body(send("POST", "/v1/auth/authenticate",
                "{\"user\":\"noroles\",\"password\":\"noroles-pw\"}", b -> b)).get("expiresAtMillis").getAsLong();
        long now = System.currentTimeMillis();
        assertTrue(expires > now + 60_000 && expires <= now + Duration.ofMinutes(5).toMillis(), expires - now + " ms");
    }

    @Test
    void anEventStreamEndsWhenTheRightToReadItIsRevoked() throws Exception {
        AuthGrpc.AuthBlockingStub admin = AuthGrpc.newBlockingStub(cluster.node(1).channel())
                .withInterceptors(asRoot());
        admin.roleAdd(RoleAddRequest.newBuilder().setName("temp").build());
        admin.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("temp").setPermission(
                Permission.newBuilder().setType(PermissionType.READ).setKey("/other/").setPrefix(true)).build());
        admin.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("noroles").setRole("temp").build());
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/watch/other?recursive")).header("Authorization", "Bearer " + login("noroles")).GET().build();
        HttpResponse<InputStream> stream = http.client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(OK, stream.statusCode());
        try (InputStream in = stream.body()) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertEquals("event: created", lines.readLine());
            admin.roleRevokePermission(RoleRevokePermissionRequest.newBuilder().setRole("temp").setKey("/other/")
                    .setPrefix(true).build());
            assertCanceledAsRevoked(lines);
        }
    }

    /** Call metadata carrying a token of root's. */
    private ClientInterceptor asRoot() throws IOException, InterruptedException {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + login("root"));
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    /** Reads an event stream to its end: it must end with a canceled event saying the right was revoked. */
    private static void assertCanceledAsRevoked(BufferedReader lines) throws IOException {
        String line;
        String last = null;
        while ((line = lines.readLine()) != null) {
            if (line.startsWith("event: ")) {
                last = line;
            }
            if (line.contains("PERMISSION_DENIED")) {
                break;
            }
        }
        assertEquals("event: canceled", last);
        assertNotNull(line, "the stream ended without saying why");
        assertTrue(line.contains("revoked while watching"), line);
    }

    /**
     * The events of an event stream up to the first {@code events} event holding one at
     * {@code path}.
     */
    private static List<JsonObject> eventsUntil(BufferedReader lines, String path) throws IOException {
        List<JsonObject> events = new ArrayList<>();
        String kind = null;
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.startsWith("event: ")) {
                kind = line.substring("event: ".length());
                assertTrue(kind.equals("events") || kind.equals("progress"), "unexpected " + line);
            } else if (line.startsWith("data: ") && "events".equals(kind)) {
                boolean found = false;
                for (var e : JsonParser.parseString(line.substring("data: ".length())).getAsJsonObject()
                        .getAsJsonArray("events")) {
                    events.add(e.getAsJsonObject());
                    found |= e.getAsJsonObject().get("path").getAsString().equals(path);
                }
                if (found) {
                    return events;
                }
            }
        }
        throw new AssertionError("the stream ended before an event at " + path + "; got " + events);
    }

    @Test
    void aRecursiveEventStreamDeliversOnlyWhatTheUserMayReadAndEndsWhenNothingIsLeft() throws Exception {
        AuthGrpc.AuthBlockingStub admin = AuthGrpc.newBlockingStub(cluster.node(1).channel())
                .withInterceptors(asRoot());
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(cluster.node(1).channel()).withInterceptors(asRoot());
        for (String p : List.of("/app/a", "/app/b")) {
            kv.create(CreateRequest.newBuilder().setPath(p).build());
        }
        admin.userAdd(UserAddRequest.newBuilder().setName("partial").setPassword("partial-pw").build());
        admin.roleAdd(RoleAddRequest.newBuilder().setName("app-a-ro").build());
        admin.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("app-a-ro").setPermission(
                Permission.newBuilder().setType(PermissionType.READ).setKey("/app/a/").setPrefix(true)).build());
        admin.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("partial").setRole("app-a-ro").build());

        // Nothing readable at or under /app: refused, saying so.
        Answer refused = status("GET", "/v1/watch/app?recursive", null, bearer(login("other")));
        assertEquals(DENIED, refused.status(), refused.text());
        assertTrue(refused.text().contains("may read nothing at or under /app"), refused.text());

        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/watch/app?recursive")).header("Authorization", "Bearer " + login("partial")).GET().build();
        HttpResponse<InputStream> stream = http.client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(OK, stream.statusCode());
        try (InputStream in = stream.body()) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertEquals("event: created", lines.readLine());
            long x = kv.create(CreateRequest.newBuilder().setPath("/app/a/x").build()).getHeader().getRevision();
            kv.create(CreateRequest.newBuilder().setPath("/app/b/y").build());
            long z = kv.create(CreateRequest.newBuilder().setPath("/app/a/z").build()).getHeader().getRevision();
            // /app/a/z was written after /app/b/y: once it is here, /app/b/y's events would have been.
            List<JsonObject> events = eventsUntil(lines, "/app/a/z");
            assertEquals(List.of(x, z), events.stream().map(e -> e.get("revision").getAsLong()).distinct().toList(),
                    events.toString());
            assertTrue(events.stream().map(e -> e.get("path").getAsString())
                    .allMatch(p -> p.equals("/app/a") || p.startsWith("/app/a/")), events.toString());
            assertTrue(events.stream().anyMatch(e -> e.get("path").getAsString().equals("/app/a/x")),
                    events.toString());

            admin.roleRevokePermission(RoleRevokePermissionRequest.newBuilder().setRole("app-a-ro").setKey("/app/a/")
                    .setPrefix(true).build());
            assertCanceledAsRevoked(lines);
        }
    }
}
