package io.kvorum.client.it;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.RoleAddRequest;
import io.kvorum.proto.v1.RoleGrantPermissionRequest;
import io.kvorum.proto.v1.UserAddRequest;
import io.kvorum.proto.v1.UserGrantRoleRequest;
import io.kvorum.server.api.ClientSecurity;
import io.kvorum.server.testing.InJvmCluster;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.testing.TlsChannels;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A one-node cluster with TLS on its ports and the user {@code root} (role root) made, for
 * client tests under auth: a test adds its roles and users (each user's password is its name
 * plus "-pw"), then {@link #enableAuth}, then connects with {@link #client}.
 */
final class SecureItCluster implements AutoCloseable {
    private final InJvmCluster cluster;
    private final TestPki pki;
    private final AuthGrpc.AuthBlockingStub auth;

    private SecureItCluster(InJvmCluster cluster, TestPki pki) {
        this.cluster = cluster;
        this.pki = pki;
        this.auth = AuthGrpc.newBlockingStub(cluster.node(1).channel());
    }

    /** Starts the node under {@code tmp}, its tokens living {@code tokenTtl}, and makes root. */
    static SecureItCluster start(Path tmp, String name, Duration tokenTtl) throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), name);
        TestPki.CertFiles node = pki.node(1);
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(node.cert(), node.key(), node.ca()), "node 1");
        InJvmCluster cluster = new InJvmCluster(tmp.resolve("data"), 1, name);
        try {
            cluster.peerTls(id -> tls).security(id -> ClientSecurity.of(tls, false, tokenTtl, 1000))
                    .channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), null));
            cluster.startAll();
            cluster.awaitLeader();
            SecureItCluster c = new SecureItCluster(cluster, pki);
            c.user("root", "root");
            return c;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** A role with read-write on each of {@code prefixes} (and everything under them). */
    void role(String role, String... prefixes) {
        auth.roleAdd(RoleAddRequest.newBuilder().setName(role).build());
        for (String prefix : prefixes) {
            auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole(role).setPermission(
                    Permission.newBuilder().setType(PermissionType.READWRITE).setKey(prefix).setPrefix(true)).build());
        }
    }

    /** A user whose password is its name plus "-pw", holding {@code roles}. */
    void user(String name, String... roles) {
        auth.userAdd(UserAddRequest.newBuilder().setName(name).setPassword(name + "-pw").build());
        for (String role : roles) {
            auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser(name).setRole(role).build());
        }
    }

    void enableAuth() {
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
    }

    /** A client builder over TLS, trusting the cluster's CA, with no credentials yet. */
    KvorumClientBuilder builder() {
        return ItClients.builder(cluster).tls(pki.caFile(), null, null);
    }

    /** A client logged in as {@code user} with its password. */
    KvorumClient client(String user) {
        return builder().credentials(user, user + "-pw").build();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
