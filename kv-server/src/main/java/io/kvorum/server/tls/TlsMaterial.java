package io.kvorum.server.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One loaded, checked set of {@link TlsFiles}: a key manager presenting the certificate and a
 * trust manager accepting chains to the CA. Loading refuses an unreadable key, a certificate
 * that does not belong to the key, and a certificate that is expired or not yet valid.
 */
record TlsMaterial(X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager,
                   X509Certificate leaf) {
    private static final char[] NO_PASSWORD = new char[0];

    static TlsMaterial load(TlsFiles files) {
        List<X509Certificate> chain = PemFiles.certificates(files.cert(), "certificate");
        PrivateKey key = PemFiles.privateKey(files.key(), "private key");
        List<X509Certificate> cas = PemFiles.certificates(files.ca(), "CA certificate");
        X509Certificate leaf = chain.get(0);
        checkValid(leaf, "certificate " + files.cert());
        for (int i = 0; i < cas.size(); i++) {
            checkValid(cas.get(i), "CA certificate " + files.ca() + (cas.size() > 1 ? " (#" + (i + 1) + ")" : ""));
        }
        if (!belongsTo(key, leaf.getPublicKey())) {
            throw new TlsConfigException("certificate " + files.cert() + " (" + leaf.getSubjectX500Principal()
                    + ") does not match private key " + files.key());
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("self", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, NO_PASSWORD);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ts.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            return new TlsMaterial(only(kmf.getKeyManagers(), X509ExtendedKeyManager.class),
                    only(tmf.getTrustManagers(), X509ExtendedTrustManager.class), leaf);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsConfigException("cannot build a key store from " + files + ": " + e.getMessage());
        }
    }

    private static void checkValid(X509Certificate c, String what) {
        try {
            c.checkValidity(new Date());
        } catch (CertificateExpiredException e) {
            throw new TlsConfigException(what + " (" + c.getSubjectX500Principal() + ") expired on "
                    + c.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new TlsConfigException(what + " (" + c.getSubjectX500Principal() + ") is not valid before "
                    + c.getNotBefore().toInstant());
        }
    }

    /** Whether {@code key} is the private half of {@code pub}: it signs, the public key verifies. */
    private static boolean belongsTo(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed") && pub.getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static <T> T only(Object[] managers, Class<T> type) {
        for (Object m : managers) {
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
        throw new IllegalStateException("the JDK offers no " + type.getSimpleName());
    }

    KeyManager[] keyManagers() {
        return new KeyManager[] {keyManager};
    }

    TrustManager[] trustManagers() {
        return new TrustManager[] {trustManager};
    }
}
