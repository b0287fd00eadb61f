package io.kvorum.jepsen.harness;

import io.kvorum.client.AuthAdmin;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A secure test cluster's throw-away credentials: a CA and one certificate per node (DNS name
 * {@code node-<id>} as peers check it, and 127.0.0.1 for clients coming through the proxies),
 * made with {@code openssl}, and the password of the user {@value #ROOT} that the run's clients
 * log in as once auth is on. The servers then run with TLS on every port.
 */
public record ClusterSecurity(Path dir, String rootPassword) {
    public static final String ROOT = "root";

    /** Makes the CA and the certificates of nodes {@code 1..nodes} under {@code dir}. */
    public static ClusterSecurity create(Path dir, int nodes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=kvorum-jepsen CA",
                "-keyout", "ca-key.pem", "-out", "ca.pem");
        for (long id = 1; id <= nodes; id++) {
            String name = "node-" + id;
            Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=DNS:" + name + ",DNS:localhost,IP:127.0.0.1\n"
                    + "extendedKeyUsage=serverAuth,clientAuth\n");
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", name + "-key.pem",
                    "-out", name + ".csr");
            openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                    "-CAcreateserial", "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
        }
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        return new ClusterSecurity(dir, HexFormat.of().formatHex(secret));
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("a secure run makes its certificates with openssl, which did not start: "
                    + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /** kvorum-server's flags for node {@code id}: TLS on the client, peer and admin ports. */
    public List<String> serverFlags(long id) {
        return List.of("--tls-cert", dir.resolve("node-" + id + ".pem").toString(),
                "--tls-key", dir.resolve("node-" + id + "-key.pem").toString(), "--tls-ca", ca().toString());
    }

    /** Over TLS trusting the CA; logged in as root when {@code login}. */
    public KvorumClientBuilder apply(KvorumClientBuilder b, boolean login) {
        b.tls(ca(), null, null);
        return login ? b.credentials(ROOT, rootPassword) : b;
    }

    /**
     * Creates the user root with the role root and turns auth on, over TLS while auth is still
     * off. Each step is skipped when already done, so a retry (a leader change midway) finishes
     * the job.
     */
    public void enableAuth(List<String> endpoints, Duration deadline) {
        try (KvorumClient c = apply(KvorumClient.builder().endpoints(endpoints.toArray(String[]::new))
                .defaultDeadline(deadline), false).build()) {
            AuthAdmin a = c.auth();
            if (a.status().enabled()) {
                return;
            }
            if (!a.users().contains(ROOT)) {
                a.addUser(ROOT, rootPassword);
            }
            if (!a.user(ROOT).roles().contains(ROOT)) {
                a.grantRole(ROOT, ROOT);
            }
            a.enable();
            if (!a.status().enabled()) {
                throw new IllegalStateException("auth enable was answered but auth reports itself off");
            }
        }
    }

    /** An HTTPS client for the admin ports, trusting the CA. */
    public HttpClient http(Duration connectTimeout) {
        try (InputStream in = Files.newInputStream(ca())) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(c).connectTimeout(connectTimeout).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the test CA " + ca() + ": " + e.getMessage(), e);
        }
    }
}
