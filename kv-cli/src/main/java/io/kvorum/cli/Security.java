package io.kvorum.cli;

import io.kvorum.client.KvorumClientBuilder;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Applies {@code --cacert/--cert/--key} (TLS) and {@code --user} (credentials) to a client.
 * The password is read from {@code --password-file}, else {@code KVORUM_PASSWORD}, else asked
 * for on the terminal without echo; it is never taken from the command line, where other
 * users of the machine could read it.
 */
public final class Security {
    static final String PASSWORD_ENV = "KVORUM_PASSWORD";

    private Security() {
    }

    /** TLS and credentials from {@code o}; the password from {@code env} when no file is given. */
    static void apply(GlobalOptions o, Map<String, String> env, KvorumClientBuilder b) {
        if ((o.cert == null) != (o.key == null)) {
            throw new UsageError("--cert and --key go together");
        }
        if (o.cert != null && o.cacert == null) {
            throw new UsageError("--cert needs --cacert (client certificates are only sent over TLS)");
        }
        if (o.cacert != null) {
            b.tls(o.cacert, o.cert, o.key);
        }
        if (o.user != null) {
            b.credentials(o.user, password(o, env));
        }
    }

    static final String NEW_PASSWORD_ENV = "KVORUM_NEW_PASSWORD";

    /**
     * A password to set for {@code user}: from {@code file}, else {@code KVORUM_NEW_PASSWORD} in
     * {@code env}, else asked twice on the terminal without echo.
     */
    public static String newPassword(Path file, String user, Map<String, String> env) {
        if (file != null) {
            return firstLine(file, "--new-password-file");
        }
        String given = env.get(NEW_PASSWORD_ENV);
        if (given != null && !given.isEmpty()) {
            return given;
        }
        Console console = System.console();
        if (console == null) {
            throw new UsageError("a new password for " + user + " is needed: give --new-password-file or set "
                    + NEW_PASSWORD_ENV + " (no terminal to ask on)");
        }
        char[] a = console.readPassword("New password for %s: ", user);
        char[] b = console.readPassword("Repeat it: ");
        if (a == null || a.length == 0 || !Arrays.equals(a, b)) {
            throw new UsageError("the passwords given for " + user + " are empty or differ");
        }
        return new String(a);
    }

    private static String firstLine(Path file, String flag) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty()) {
                throw new UsageError(flag + " " + file + " is empty");
            }
            return lines.get(0);
        } catch (IOException e) {
            throw new UsageError("cannot read " + flag + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** A JDK TLS context trusting the CA certificates in PEM file {@code caFile} (for HTTPS). */
    static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new UsageError("--cacert " + caFile + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (IOException | GeneralSecurityException e) {
            throw new UsageError("cannot read --cacert " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static String password(GlobalOptions o, Map<String, String> env) {
        if (o.passwordFile != null) {
            return firstLine(o.passwordFile, "--password-file");
        }
        String given = env.get(PASSWORD_ENV);
        if (given != null && !given.isEmpty()) {
            return given;
        }
        Console console = System.console();
        if (console == null) {
            throw new UsageError("--user " + o.user + " needs a password: give --password-file or set " + PASSWORD_ENV
                    + " (no terminal to ask on)");
        }
        char[] pw = console.readPassword("Password for %s: ", o.user);
        if (pw == null || pw.length == 0) {
            throw new UsageError("no password given for --user " + o.user);
        }
        return new String(pw);
    }
}
