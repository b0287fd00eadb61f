package io.kvorum.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.server.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/**
 * What makes a node take rotated certificate files without a restart: the poll of their size
 * and modification time, and SIGHUP (raised in this JVM; skipped when the JVM ignores it).
 */
@Timeout(60)
class TlsReloaderTest {
    @TempDir
    Path tmp;

    @Test
    void changedFilesAreTakenWithinTheInterval() {
        TestPki pki = TestPki.create(tmp, "a");
        TestPki.CertFiles live = pki.node(1);
        ReloadingTls t = ReloadingTls.load(new TlsFiles(live.cert(), live.key(), live.ca()), "test");
        try (TlsReloader ignored = TlsReloader.watch(List.of(t), Duration.ofMillis(100))) {
            TestPki.replace(pki.nodeNamed("next", "node-1-next"), live);
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> "node-1-next".equals(CertNames.commonName(t.certificate())));
            assertEquals(1, t.reloads());
        }
    }

    @Test
    void sighupRereadsTheFilesAtOnce() {
        TestPki pki = TestPki.create(tmp, "a");
        TestPki.CertFiles live = pki.node(1);
        ReloadingTls t = ReloadingTls.load(new TlsFiles(live.cert(), live.key(), live.ca()), "test");
        // An interval no test waits for: only the signal can make the reload.
        try (TlsReloader reloader = TlsReloader.watch(List.of(t), Duration.ofHours(1)).onSighup()) {
            // A JVM started with SIGHUP ignored (under nohup) cannot install a handler: nothing to test then.
            Assumptions.assumeTrue(reloader.reloadsOnSighup(), "SIGHUP is ignored by this test process");
            TestPki.replace(pki.nodeNamed("next", "node-1-next"), live);
            Signal.raise(new Signal("HUP"));
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> "node-1-next".equals(CertNames.commonName(t.certificate())));
            assertEquals(1, t.reloads());
        }
    }
}
