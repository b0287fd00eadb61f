package io.kvorum.client.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.TlsRequiredException;
import io.kvorum.server.api.ClientSecurity;
import io.kvorum.server.testing.InJvmCluster;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.testing.TlsChannels;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A KvorumClient without TLS against a node whose client port requires it (a real TLS port on
 * loopback): the call fails at once with an error saying TLS is required, not after retrying
 * until its deadline, with request batching on (the default) and off.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlaintextToTlsIntegrationTest {
    @TempDir
    static Path tmp;
    private InJvmCluster cluster;

    @BeforeAll
    void start() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "plain-to-tls");
        TestPki.CertFiles node = pki.node(1);
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(node.cert(), node.key(), node.ca()), "node 1");
        cluster = new InJvmCluster(tmp.resolve("data"), 1, "plain-to-tls");
        cluster.peerTls(id -> tls).security(id -> ClientSecurity.of(tls, false, ClientSecurity.DEFAULT_TOKEN_TTL, 1000))
                .channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), null));
        cluster.startAll();
        cluster.awaitLeader();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @ParameterizedTest(name = "batching {0}")
    @ValueSource(booleans = {true, false})
    void aPlaintextClientIsToldTheNodeRequiresTls(boolean batching) {
        // A deadline far beyond the test's own timeout: only an error that names the problem
        // at once ends the call in time.
        try (KvorumClient plain = ItClients.builder(cluster).batching(batching).defaultDeadline(Duration.ofMinutes(5))
                .build()) {
            TlsRequiredException e = assertThrows(TlsRequiredException.class, () -> plain.get("/anything"));
            assertTrue(e.getMessage().contains("requires TLS"), e.getMessage());
            assertTrue(e.getMessage().contains(".tls("), e.getMessage());
            TlsRequiredException write = assertThrows(TlsRequiredException.class,
                    () -> plain.create("/x", new byte[0]));
            assertTrue(write.getMessage().contains("requires TLS"), write.getMessage());
        }
    }
}
