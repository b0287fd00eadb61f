package io.kvorum.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The archive this build made ({@code -Dkvorum.archive}), unpacked once per test JVM under
 * target/, and a PATH for running it that holds a JRE and a few shell tools but no Maven:
 * what a machine without the source tree has.
 */
final class ReleaseArchive {
    private static Path home;
    private static Path tools;

    private ReleaseArchive() {
    }

    /** The unpacked kvorum-VERSION directory. */
    static synchronized Path home() throws IOException, InterruptedException {
        if (home == null) {
            Path archive = Path.of(System.getProperty("kvorum.archive", "target/kvorum-" + Repo.version() + ".tar.gz"));
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException(archive + " is missing: these tests run after 'package' (mvn verify)");
            }
            Path dir = archive.toAbsolutePath().getParent().resolve("release-it");
            deleteRecursively(dir);
            Files.createDirectories(dir);
            ProcessRun untar = ProcessRun.run(List.of("tar", "-xzf", archive.toAbsolutePath().toString()), dir,
                    Map.of("PATH", System.getenv("PATH")), 120);
            if (untar.exitCode() != 0) {
                throw new IllegalStateException("tar failed: " + untar.output());
            }
            home = dir.resolve("kvorum-" + Repo.version());
        }
        return home;
    }

    /** A directory to put first (and alone) on PATH: java, bash and the tools the launchers use. */
    static synchronized Path tools() throws IOException, InterruptedException {
        if (tools == null) {
            Path dir = home().getParent().resolve("tools");
            Files.createDirectories(dir);
            link(dir, "java", Path.of(System.getProperty("java.home"), "bin", "java"));
            for (String tool : List.of("bash", "dirname", "readlink", "ls", "head", "sleep", "timeout", "cat")) {
                link(dir, tool, which(tool));
            }
            tools = dir;
        }
        return tools;
    }

    /** The environment of a process run from the archive: no Maven, no source tree on PATH. */
    static Map<String, String> environment() throws IOException, InterruptedException {
        return Map.of("PATH", tools().toString(), "HOME", home().getParent().toString(), "HOSTNAME", "kvorum-it",
                "LANG", "C.UTF-8");
    }

    private static void link(Path dir, String name, Path target) throws IOException {
        Path link = dir.resolve(name);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
    }

    private static Path which(String tool) {
        for (String d : System.getenv("PATH").split(":")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(tool + " not found on PATH");
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
