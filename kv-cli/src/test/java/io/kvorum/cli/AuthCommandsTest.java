package io.kvorum.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.api.ClientSecurity;
import io.kvorum.server.testing.InJvmCluster;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.testing.TlsChannels;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvorum auth|user|role} and the connection flags ({@code --cacert}, {@code --cert},
 * {@code --key}, {@code --user}, passwords from the environment or a file) against a one-node
 * cluster whose client port is TLS only: set up users and roles, switch auth on, then each kind
 * of caller gets what it may, and exit code 7 with a sentence naming the problem when not.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthCommandsTest {
    @TempDir
    static Path tmp;
    private InJvmCluster cluster;
    private TestPki pki;
    private String endpoint;

    @BeforeAll
    void start() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"), "cli");
        TestPki.CertFiles node = pki.node(1);
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(node.cert(), node.key(), node.ca()), "client port");
        TestPki.CertFiles harness = pki.client("harness");
        cluster = new InJvmCluster(tmp.resolve("data"), 1, "cli-auth")
                .peerTls(id -> tls)
                .security(id -> ClientSecurity.of(tls, false, ClientSecurity.DEFAULT_TOKEN_TTL, 1000))
                .channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), harness));
        cluster.startAll();
        cluster.awaitLeader();
        endpoint = cluster.endpoints();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    /** kvorum over TLS to the test node, with {@code env}, then {@code args}. */
    private Run.Result kvorum(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("--endpoints", endpoint, "--cacert", pki.caFile().toString(),
                "--timeout", "10s"));
        all.addAll(List.of(args));
        return Run.with().env(env).run(all.toArray(String[]::new));
    }

    private Run.Result kvorum(String... args) {
        return kvorum(Map.of(), args);
    }

    private Run.Result as(String user, String password, String... args) {
        List<String> all = new ArrayList<>(List.of("--user", user));
        all.addAll(List.of(args));
        return kvorum(Map.of("KVORUM_PASSWORD", password), all.toArray(String[]::new));
    }

    private static void ok(Run.Result r) {
        assertEquals(0, r.exit(), r.toString());
    }

    /**
     * Runs an auth change until it is answered. Changes are sent once per call (not
     * deduplicated), so on a loaded machine one may time out (exit 6) and is then run again; if
     * the timed-out one was applied after all, the retry finds it done (exit 4: exists).
     */
    private Run.Result change(Map<String, String> env, String... args) {
        Run.Result[] last = new Run.Result[1];
        boolean[] timedOut = {false};
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            last[0] = kvorum(env, args);
            if (last[0].exit() == 6) {
                timedOut[0] = true;
                return false;
            }
            return true;
        });
        if (timedOut[0] && last[0].exit() == 4) {
            return new Run.Result(0, last[0].out(), last[0].err(), last[0].outBytes());
        }
        return last[0];
    }

    private Run.Result change(String... args) {
        return change(Map.of(), args);
    }

    private static void denied(Run.Result r, String says) {
        assertEquals(7, r.exit(), r.toString());
        assertTrue(r.err().startsWith("Error: "), r.toString());
        assertTrue(r.err().contains(says), "stderr should say '" + says + "': " + r);
    }

    @Test
    void usersRolesAndTheAuthSwitchFromTheCommandLine() throws Exception {
        // A read first (reads are retried): this JVM's first TLS handshake may take longer than
        // one attempt on a loaded machine, and a change is not retried once it may have been sent.
        ok(kvorum("auth", "status"));
        Run.Result early = change("auth", "enable");
        assertNotEquals(0, early.exit(), early.toString());
        assertTrue(early.err().contains("root"), "enabling without root is refused, naming root: " + early);

        ok(change(Map.of("KVORUM_NEW_PASSWORD", "root-pw"), "user", "add", "root"));
        ok(change("user", "grant-role", "root", "root"));
        ok(change("role", "add", "app"));
        Run.Result granted = change("role", "grant", "app", "readwrite", "/app/", "--prefix");
        ok(granted);
        assertEquals(List.of("readwrite on /app/* granted to role app"), granted.lines());
        Path alicePw = Files.writeString(tmp.resolve("alice.pw"), "alice-pw\n");
        ok(change("user", "add", "alice", "--new-password-file", alicePw.toString()));
        ok(change("user", "grant-role", "alice", "app"));
        ok(change("user", "add", "carol", "--no-password"));
        assertEquals(List.of("alice", "carol", "root"), kvorum("user", "list").lines().stream().sorted().toList());
        Run.Result role = kvorum("role", "get", "app");
        ok(role);
        assertTrue(role.out().contains("/app/"), role.toString());
        Run.Result roleJson = kvorum("-o", "json", "role", "get", "app");
        ok(roleJson);
        assertTrue(roleJson.out().contains("\"name\":\"app\"") && roleJson.out().contains("\"permissions\":[\"")
                && roleJson.out().contains("/app/"), roleJson.toString());
        Run.Result usersJson = kvorum("-o", "json", "user", "list");
        ok(usersJson);
        assertTrue(usersJson.out().contains("\"users\":[") && usersJson.out().contains("\"alice\""),
                usersJson.toString());
        Run.Result alice = kvorum("-o", "json", "user", "get", "alice");
        ok(alice);
        assertTrue(alice.out().contains("\"roles\":[\"app\"]") && alice.out().contains("\"hasPassword\":true"),
                alice.toString());

        Run.Result enabled = change("auth", "enable");
        ok(enabled);
        assertEquals(List.of("auth enabled"), enabled.lines());
        Run.Result status = kvorum("auth", "status");
        ok(status);
        assertTrue(status.out().startsWith("auth enabled"), "status needs no credentials: " + status);

        // Alice: read-write under /app/ only, by password from the environment.
        ok(as("alice", "alice-pw", "create", "/app"));
        ok(as("alice", "alice-pw", "create", "/app/x", "1"));
        assertEquals(List.of("1"), as("alice", "alice-pw", "get", "/app/x").lines());
        denied(as("alice", "alice-pw", "create", "/other", "1"), "may not write /other");
        denied(as("alice", "alice-pw", "user", "list"), "lacks the admin permission");
        Run.Result whoami = as("alice", "alice-pw", "auth", "status");
        ok(whoami);
        assertTrue(whoami.out().contains("authenticated as alice"), whoami.toString());

        // Nobody, and a wrong password.
        Run.Result nobody = kvorum("get", "/app/x");
        assertEquals(7, nobody.exit(), nobody.toString());
        assertTrue(nobody.err().toLowerCase().contains("authenticat"), "says a login is needed: " + nobody);
        Run.Result wrong = as("alice", "wrong", "get", "/app/x");
        assertEquals(7, wrong.exit(), wrong.toString());
        assertTrue(wrong.err().contains("wrong user name or password"), "says the login failed: " + wrong);

        // Root by client certificate (its common name), no password.
        TestPki.CertFiles rootCert = pki.client("root");
        ok(kvorum("--cert", rootCert.cert().toString(), "--key", rootCert.key().toString(), "user", "list"));

        // Taking the right away stops the next call.
        ok(change(Map.of("KVORUM_PASSWORD", "root-pw"), "--user", "root", "role", "revoke", "app", "/app/",
                "--prefix"));
        denied(as("alice", "alice-pw", "get", "/app/x"), "may not read /app/x");

        Run.Result off = change(Map.of("KVORUM_PASSWORD", "root-pw"), "--user", "root", "auth", "disable");
        ok(off);
        assertEquals(List.of("auth disabled"), off.lines());
        ok(kvorum("get", "/app/x"));
    }

    @Test
    void badConnectionFlagsAreUsageErrors() {
        Run.Result certWithoutKey = kvorum("--cert", pki.caFile().toString(), "get", "/");
        assertEquals(2, certWithoutKey.exit(), certWithoutKey.toString());
        assertTrue(certWithoutKey.err().contains("--cert and --key go together"), certWithoutKey.toString());
        Run.Result noPassword = kvorum("--user", "alice", "get", "/");
        assertEquals(2, noPassword.exit(), noPassword.toString());
        assertTrue(noPassword.err().contains("KVORUM_PASSWORD"), "says where a password may come from: " + noPassword);
    }
}
