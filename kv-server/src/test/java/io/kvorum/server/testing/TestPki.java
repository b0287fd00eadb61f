package io.kvorum.server.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throw-away certificate authorities and certificates for tests, written as PEM files: node
 * certificates name {@code node-<id>}, localhost and 127.0.0.1; client certificates carry a
 * user as common name. EC P-256 keys, so generating many is quick.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate ca;

    /** The files of one certificate. */
    public record CertFiles(Path cert, Path key, Path ca) {
    }

    private TestPki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        try {
            java.nio.file.Files.createDirectories(dir);
            caKeys = keyPair();
            X500Name subject = new X500Name("CN=" + name + " test CA");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
                    caKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca = new JcaX509CertificateConverter().getCertificate(b.build(signer(caKeys)));
            write(dir.resolve("ca.pem"), ca);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create a test CA", e);
        }
    }

    /** A new CA whose files go under {@code dir}. */
    public static TestPki create(Path dir, String name) {
        return new TestPki(dir, name);
    }

    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** A JDK TLS context trusting this CA and presenting no certificate (an HTTPS client's). */
    public SSLContext trustOnly() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context trusting the test CA", e);
        }
    }

    /** A certificate for node {@code id} (DNS node-id, localhost, IP 127.0.0.1), valid for two days. */
    public CertFiles node(long id) {
        return issue("node-" + id, "node-" + id, List.of("node-" + id, "localhost"), Duration.ofDays(2), false);
    }

    /** A node certificate naming {@code certifiedName} instead, written as files {@code fileName}. */
    public CertFiles nodeNamed(String fileName, String certifiedName) {
        return issue(fileName, certifiedName, List.of(certifiedName, "localhost"), Duration.ofDays(2), false);
    }

    /** A client certificate whose common name is {@code user}. */
    public CertFiles client(String user) {
        return issue("client-" + user, user, List.of(), Duration.ofDays(2), false);
    }

    /** A node certificate that expired an hour ago. */
    public CertFiles expiredNode(long id) {
        return issue("expired-node-" + id, "node-" + id, List.of("node-" + id, "localhost"), Duration.ofDays(2), true);
    }

    private CertFiles issue(String fileName, String cn, List<String> dnsNames, Duration validity, boolean expired) {
        try {
            KeyPair keys = keyPair();
            Instant now = Instant.now();
            Instant from = expired ? now.minus(Duration.ofDays(3)) : now.minus(Duration.ofHours(1));
            Instant to = expired ? now.minus(Duration.ofHours(1)) : now.plus(validity);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(from), Date.from(to),
                    new X500Name("CN=" + cn), keys.getPublic());
            List<GeneralName> sans = new ArrayList<>();
            for (String dns : dnsNames) {
                sans.add(new GeneralName(GeneralName.dNSName, dns));
            }
            if (!dnsNames.isEmpty()) {
                sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(caKeys)));
            Path certFile = dir.resolve(fileName + ".pem");
            Path keyFile = dir.resolve(fileName + "-key.pem");
            write(certFile, cert);
            write(keyFile, keys.getPrivate());
            return new CertFiles(certFile, keyFile, caFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** Copies {@code from}'s files over {@code to}'s, each by an atomic rename (a rotation). */
    public static void replace(CertFiles from, CertFiles to) {
        try {
            for (Path[] p : new Path[][] {{from.key(), to.key()}, {from.cert(), to.cert()}}) {
                Path tmp = p[1].resolveSibling(p[1].getFileName() + ".tmp");
                java.nio.file.Files.copy(p[0], tmp, StandardCopyOption.REPLACE_EXISTING);
                java.nio.file.Files.move(tmp, p[1], StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static ContentSigner signer(KeyPair keys) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static void write(Path file, Object pemObject) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pemObject instanceof java.security.PrivateKey k
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : pemObject);
        }
        Files.writeString(file, sw.toString());
    }

    @Override
    public String toString() {
        return "test CA " + name;
    }
}
