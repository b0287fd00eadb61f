package io.kvorum.cli;

import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One 3-node cluster for the test classes that only read and write nodes (each uses its own
 * paths), started on first use and stopped when the test JVM exits: starting a cluster per
 * class would cost more than the tests. Tests that stop nodes or change membership make their own.
 */
final class SharedCluster {
    private static InJvmCluster cluster;

    private SharedCluster() {
    }

    static synchronized InJvmCluster get() {
        if (cluster == null) {
            try {
                Path dir = Files.createTempDirectory("kvorum-cli-test");
                cluster = new InJvmCluster(dir, 3, "cli-test");
                cluster.startAll();
                cluster.awaitLeader();
                InJvmCluster c = cluster;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    c.close();
                    deleteTree(dir);
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cluster;
    }

    static String endpoints() {
        return get().endpoints();
    }

    static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temp directory
        }
    }
}
