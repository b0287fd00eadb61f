package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.bytes;
import static io.kvorum.server.storage.Fixtures.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real crash: a child process applying entries is killed with SIGKILL at an arbitrary
 * point. On reopen the applied index must describe the state exactly: the state holds the
 * effects of every entry up to it and of none after it (etcd-io/etcd#13766).
 */
class NodeStoreCrashTest {
    @TempDir
    Path dir;

    @Test
    void killedWhileApplyingReopensWithIndexAndStateInAgreement() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWorker.class.getName(), dir.toString())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("applying")) {
                // skip log output
            }
            assertEquals("applying", line, "worker exited before applying");
            Thread.sleep(150);
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        try (NodeStore s = Fixtures.open(dir)) {
            long applied = s.appliedIndex();
            System.out.println("killed at applied index " + applied + " of " + CrashWorker.ENTRIES);
            assertTrue(applied >= 1000, "applied " + applied);
            assertEquals(Long.toString(applied), str(s.get(bytes("last"))));
            assertNotNull(s.get(bytes("k" + applied)));
            assertNull(s.get(bytes("k" + (applied + 1))));
            assertEquals(CrashWorker.ENTRIES, s.lastIndex(), "the synced log survives whole");
        }
    }
}
