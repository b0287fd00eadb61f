package io.kvorum.server.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.testing.InJvmCluster;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin port with TLS serves HTTPS only: a client trusting the cluster CA reads /health and
 * /status; a plaintext HTTP request gets no answer, and a client that does not trust the CA
 * fails the handshake.
 */
@Timeout(60)
class AdminHttpsTest {
    @TempDir
    Path tmp;
    private InJvmCluster cluster;
    private AdminServer admin;
    private TestPki pki;

    @BeforeEach
    void start() throws Exception {
        cluster = new InJvmCluster(tmp.resolve("data"), 1, "admin-https");
        cluster.startAll();
        cluster.awaitLeader();
        pki = TestPki.create(tmp.resolve("pki"), "admin");
        TestPki.CertFiles f = pki.node(1);
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(f.cert(), f.key(), f.ca()), "admin port");
        InJvmCluster.Running r = cluster.node(1);
        admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), r.node(), r.metrics(), List::of, "{}",
                tls.jdkContext());
        admin.start();
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsWithTheClusterCaWorksAndPlaintextIsRefused() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(pki.trustOnly())
                .connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://127.0.0.1:" + admin.port();
        await().atMost(Duration.ofSeconds(20)).until(() -> get(https, base + "/health").statusCode() == 200);
        HttpResponse<String> status = get(https, base + "/status");
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"role\":\"leader\""), status.body());

        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(IOException.class, () -> get(plain, "http://127.0.0.1:" + admin.port() + "/health"),
                "a plaintext request to the HTTPS admin port must get no answer");

        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        IOException e = assertThrows(IOException.class, () -> get(untrusting, base + "/health"));
        assertTrue(e instanceof SSLHandshakeException || e.getCause() instanceof SSLHandshakeException,
                "a client not trusting the cluster CA fails the handshake: " + e);
    }
}
