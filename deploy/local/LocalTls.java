import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What deploy/local/cluster.sh --secure needs beyond the JDK's keytool on a machine without
 * openssl or curl (compiled once by the script, then run with java -cp):
 *
 * <pre>
 *   LocalTls pem-key KEYSTORE.p12 STOREPASS ALIAS OUT.pem   the private key as PEM PKCS#8 (keytool cannot)
 *   LocalTls get CA.pem URL                                  GET over HTTPS trusting CA.pem; prints the body
 * </pre>
 *
 * Exit code 0 on success, 1 on failure (with the reason on stderr), 2 on bad usage.
 */
public final class LocalTls {
    private LocalTls() {
    }

    public static void main(String[] args) {
        try {
            if (args.length == 5 && args[0].equals("pem-key")) {
                pemKey(Path.of(args[1]), args[2].toCharArray(), args[3], Path.of(args[4]));
            } else if (args.length == 3 && args[0].equals("get")) {
                get(Path.of(args[1]), URI.create(args[2]));
            } else {
                System.err.println("usage: LocalTls pem-key KEYSTORE.p12 STOREPASS ALIAS OUT.pem | get CA.pem URL");
                System.exit(2);
            }
        } catch (Exception e) {
            System.err.println("LocalTls " + args[0] + ": " + e);
            System.exit(1);
        }
    }

    private static void pemKey(Path keystore, char[] pass, String alias, Path out) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, pass);
        }
        Key key = ks.getKey(alias, pass);
        if (!(key instanceof PrivateKey)) {
            throw new IllegalArgumentException("no private key " + alias + " in " + keystore);
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.deleteIfExists(out);
        Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(out, pem, StandardCharsets.US_ASCII);
    }

    private static void get(Path caPem, URI url) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int n = 0;
        try (InputStream in = Files.newInputStream(caPem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println(r.body());
    }
}
