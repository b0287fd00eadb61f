package io.kvorum.server.tls;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS identity read from {@link TlsFiles} that can be re-read while in use. Its key and trust
 * managers delegate to the material loaded last, so contexts built from them once pick up a
 * rotated certificate, key or CA at the next handshake: connections already open keep the
 * session they negotiated, nothing restarts. A reload that fails (a half-written file, a key
 * that does not match) is logged and the previous material stays in use.
 *
 * <p>Every context offers TLS 1.3 and 1.2 only.
 */
public final class ReloadingTls {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingTls.class);
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final TlsFiles files;
    private final String name;
    private volatile TlsMaterial current;
    private volatile String seen;
    private final AtomicLong reloads = new AtomicLong();
    private final X509ExtendedKeyManager keyManager = new DelegatingKeyManager();
    private final X509ExtendedTrustManager trustManager = new DelegatingTrustManager();

    private ReloadingTls(TlsFiles files, String name, TlsMaterial first) {
        this.files = files;
        this.name = name;
        this.current = first;
        this.seen = fingerprint(files);
    }

    /**
     * Loads and checks {@code files}.
     *
     * @param name what these files are for, in log lines ("client port", "peer port")
     * @throws TlsConfigException naming the file and the problem
     */
    public static ReloadingTls load(TlsFiles files, String name) {
        String before = fingerprint(files);
        TlsMaterial m = TlsMaterial.load(files);
        ReloadingTls t = new ReloadingTls(files, name, m);
        t.seen = before;
        LOG.info("TLS for the {}: certificate {} (valid until {}), CA {}", name,
                m.leaf().getSubjectX500Principal(), m.leaf().getNotAfter().toInstant(), files.ca());
        return t;
    }

    public TlsFiles files() {
        return files;
    }

    /** The certificate presented now. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    /** How many times new material was taken into use after the first load. */
    public long reloads() {
        return reloads.get();
    }

    /** Re-reads the files if any changed since the last load (by size and modification time). */
    public boolean reloadIfChanged() {
        String now = fingerprint(files);
        if (now.equals(seen)) {
            return false;
        }
        return reload(now);
    }

    /** Re-reads the files now (SIGHUP); false if they are unusable, the old material then stays. */
    public boolean reload() {
        return reload(fingerprint(files));
    }

    private synchronized boolean reload(String fingerprint) {
        seen = fingerprint;
        TlsMaterial m;
        try {
            m = TlsMaterial.load(files);
        } catch (TlsConfigException e) {
            LOG.error("TLS for the {}: keeping the previous certificate, the new files are unusable: {}", name,
                    e.getMessage());
            return false;
        }
        current = m;
        reloads.incrementAndGet();
        LOG.info("TLS for the {}: reloaded, now presenting {} (valid until {})", name,
                m.leaf().getSubjectX500Principal(), m.leaf().getNotAfter().toInstant());
        return true;
    }

    private static String fingerprint(TlsFiles f) {
        StringBuilder sb = new StringBuilder();
        for (Path p : List.of(f.cert(), f.key(), f.ca())) {
            try {
                sb.append(Files.size(p)).append('@').append(Files.getLastModifiedTime(p).toMillis()).append(';');
            } catch (IOException e) {
                sb.append("missing;");
            }
        }
        return sb.toString();
    }

    /** A netty server context; {@code clientAuth} says whether callers must present a certificate. */
    public SslContext serverContext(ClientAuth clientAuth) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager), SslProvider.JDK)
                    .trustManager(trustManager)
                    .clientAuth(clientAuth)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (SSLException e) {
            throw new TlsConfigException("cannot build the TLS context for the " + name + ": " + e.getMessage());
        }
    }

    /** A netty client context presenting this certificate and trusting this CA. */
    public SslContext clientContext() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                    .keyManager(keyManager)
                    .trustManager(trustManager)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (SSLException e) {
            throw new TlsConfigException("cannot build the TLS client context for the " + name + ": " + e.getMessage());
        }
    }

    /** A JDK context (for the admin HTTPS server). */
    public SSLContext jdkContext() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new javax.net.ssl.KeyManager[] {keyManager}, new javax.net.ssl.TrustManager[] {trustManager}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("cannot build the TLS context for the " + name + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "TLS for the " + name + " " + files;
    }

    private final class DelegatingKeyManager extends X509ExtendedKeyManager {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return current.keyManager().getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return current.keyManager().chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return current.keyManager().chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return current.keyManager().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return current.keyManager().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return current.keyManager().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return current.keyManager().getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return current.keyManager().getPrivateKey(alias);
        }
    }

    private final class DelegatingTrustManager extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            current.trustManager().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            current.trustManager().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            current.trustManager().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            current.trustManager().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current.trustManager().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current.trustManager().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return current.trustManager().getAcceptedIssuers();
        }
    }
}
