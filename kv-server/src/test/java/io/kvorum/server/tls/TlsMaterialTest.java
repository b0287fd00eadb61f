package io.kvorum.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup checks of TLS files: each bad file is refused with a message naming it and the problem. */
class TlsMaterialTest {
    @TempDir
    Path tmp;

    @Test
    void loadsAGoodCertificateAndNamesItsNode() {
        TestPki pki = TestPki.create(tmp, "a");
        TestPki.CertFiles f = pki.node(7);
        ReloadingTls t = ReloadingTls.load(new TlsFiles(f.cert(), f.key(), f.ca()), "test");
        assertTrue(CertNames.names(t.certificate()).contains("node-7"));
        assertEquals("node-7", CertNames.commonName(t.certificate()));
    }

    @Test
    void refusesACertificateThatDoesNotMatchItsKey() {
        TestPki pki = TestPki.create(tmp, "a");
        TestPki.CertFiles one = pki.node(1);
        TestPki.CertFiles two = pki.node(2);
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> ReloadingTls.load(new TlsFiles(one.cert(), two.key(), one.ca()), "test"));
        assertTrue(e.getMessage().contains("does not match private key " + two.key()), e.getMessage());
    }

    @Test
    void refusesAnExpiredCertificate() {
        TestPki.CertFiles f = TestPki.create(tmp, "a").expiredNode(1);
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> ReloadingTls.load(new TlsFiles(f.cert(), f.key(), f.ca()), "test"));
        assertTrue(e.getMessage().contains("expired on"), e.getMessage());
        assertTrue(e.getMessage().contains(f.cert().toString()), e.getMessage());
    }

    @Test
    void refusesAnUnreadableOrGarbledKey() throws Exception {
        TestPki.CertFiles f = TestPki.create(tmp, "a").node(1);
        Path missing = tmp.resolve("missing-key.pem");
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> ReloadingTls.load(new TlsFiles(f.cert(), missing, f.ca()), "test"));
        assertTrue(e.getMessage().startsWith("cannot read private key " + missing), e.getMessage());

        Path garbled = tmp.resolve("garbled-key.pem");
        Files.writeString(garbled, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        e = assertThrows(TlsConfigException.class,
                () -> ReloadingTls.load(new TlsFiles(f.cert(), garbled, f.ca()), "test"));
        assertTrue(e.getMessage().contains("not a readable"), e.getMessage());

        Path empty = tmp.resolve("empty.pem");
        Files.writeString(empty, "");
        e = assertThrows(TlsConfigException.class,
                () -> ReloadingTls.load(new TlsFiles(empty, f.key(), f.ca()), "test"));
        assertTrue(e.getMessage().contains("holds no PEM certificate"), e.getMessage());
    }

    @Test
    void aReloadTakesNewFilesAndKeepsTheOldOnesWhenTheNewAreBad() throws Exception {
        TestPki pki = TestPki.create(tmp, "a");
        TestPki.CertFiles live = pki.node(1);
        ReloadingTls t = ReloadingTls.load(new TlsFiles(live.cert(), live.key(), live.ca()), "test");
        assertFalse(t.reloadIfChanged(), "nothing changed");

        TestPki.replace(pki.nodeNamed("next", "node-1-next"), live);
        assertTrue(t.reload());
        assertEquals("node-1-next", CertNames.commonName(t.certificate()));

        Files.writeString(live.key(), "not a key");
        assertFalse(t.reload());
        assertEquals("node-1-next", CertNames.commonName(t.certificate()), "the previous material stays in use");
        assertEquals(1, t.reloads());
    }
}
