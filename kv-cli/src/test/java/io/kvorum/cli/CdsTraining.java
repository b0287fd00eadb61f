package io.kvorum.cli;

import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Makes the class-data-sharing archive bin/kvorum starts from ({@code kv-cli/target/kvorum.jsa};
 * the build runs {@link #main} at package, see kv-cli/pom.xml). It starts a one-node cluster in
 * this JVM on a loopback port, runs {@link #COMMANDS} against it, each in its own JVM started as
 * bin/kvorum starts one and listing the classes it loads ({@code -XX:DumpLoadedClassList}),
 * merges the lists and dumps a static archive of those classes, parsed and verified once here
 * instead of on every run. The commands complete real calls, so the archive holds the request
 * and answer path (gRPC, Netty, protobuf, the client), not only start-up and argument parsing.
 *
 * <p>Static rather than dynamic (-XX:ArchiveClassesAtExit): JDK 17's dynamic archive leaves out
 * classes compiled for Java 5, which picocli's are, so they would be parsed and verified by the
 * old verifier on every run. The archive's class path must be the one bin/kvorum runs with; the
 * JVM ignores an archive whose jars changed since ({@code -Xshare:auto}).
 *
 * <p>A failure is reported and leaves no archive, but never fails the build: bin/kvorum works
 * without one, only slower. CdsTrainingTest runs the same training and fails instead.
 */
final class CdsTraining {
    /**
     * The JVM flags bin/kvorum gives a command that change which classes it loads (the garbage
     * collector, the JIT); CdsTrainingTest checks that bin/kvorum still uses them.
     */
    static final List<String> JVM_FLAGS = List.of("-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /**
     * What the training runs, in order, against an empty cluster: the everyday commands, and
     * help. Each costs the build a JVM's start; delete adds nothing a set does not load.
     */
    static final List<List<String>> COMMANDS = List.of(
            List.of("create", "/cds-training", "a"),
            List.of("get", "/cds-training"),
            List.of("set", "/cds-training", "b"),
            List.of("ls", "/"),
            List.of("--help"));

    private static final long COMMAND_TIMEOUT_SECONDS = 60;
    private static final long DUMP_TIMEOUT_SECONDS = 180;

    private CdsTraining() {
    }

    /**
     * {@code CdsTraining CLASS_PATH TARGET_DIR}: CLASS_PATH is bin/kvorum's (the kv-cli jar, then
     * target/lib/*); writes TARGET_DIR/kvorum.jsa, the merged class list kvorum.classlist and the
     * logs kvorum-cds-*.log.
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: CdsTraining CLASS_PATH TARGET_DIR");
            System.exit(2);
        }
        String classPath = args[0];
        Path target = Path.of(args[1]);
        Path archive = target.resolve("kvorum.jsa");
        try {
            Files.deleteIfExists(archive);
            Path work = target.resolve("cds-training");
            deleteTree(work); // the last build's cluster data: its nodes would exist already
            Files.createDirectories(work);
            Path classList = target.resolve("kvorum.classlist");
            try (InJvmCluster cluster = new InJvmCluster(work.resolve("data"), 1, "cds-training")) {
                cluster.startAll();
                cluster.awaitLeader();
                train(classPath, cluster.endpoints(), classList, work);
            }
            dump(classPath, classList, archive, target.resolve("kvorum-cds-dump.log"));
            System.out.println("kvorum: class-data-sharing archive " + archive);
        } catch (IOException | RuntimeException e) {
            System.out.println("kvorum: WARNING: no class-data-sharing archive (bin/kvorum starts slower): " + e);
            deleteQuietly(archive);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(archive);
        }
        // The in-JVM node's threads are not all daemons: leave at once.
        System.exit(0);
    }

    /**
     * Runs every command of {@link #COMMANDS} against {@code endpoints}, each in a fresh JVM on
     * {@code classPath}, and writes the union of the classes they loaded to {@code classList}.
     *
     * @throws IOException if a command does not succeed: a training that completes no call would
     *                     leave the answer path out of the archive
     */
    static void train(String classPath, String endpoints, Path classList, Path work)
            throws IOException, InterruptedException {
        Set<String> lines = new LinkedHashSet<>();
        for (int i = 0; i < COMMANDS.size(); i++) {
            lines.addAll(loadedClasses(classPath, endpoints, COMMANDS.get(i), work.resolve("command-" + i)));
        }
        lines.removeIf(l -> l.isBlank() || l.startsWith("#"));
        Files.write(classList, lines, StandardCharsets.UTF_8);
    }

    /**
     * Runs {@code kvorum command} against {@code endpoints} in a fresh JVM as bin/kvorum starts
     * one, and returns the class list it wrote ({@code name.classlist}; its output goes to
     * {@code name.log}).
     *
     * @throws IOException if the command does not exit 0
     */
    static List<String> loadedClasses(String classPath, String endpoints, List<String> command, Path name)
            throws IOException, InterruptedException {
        Path list = Path.of(name + ".classlist");
        Files.deleteIfExists(list);
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-XX:DumpLoadedClassList=" + list, "-cp", classPath, Kvorum.class.getName(),
                "--endpoints", endpoints, "--timeout", "20s"));
        cmd.addAll(command);
        run(cmd, Path.of(name + ".log"), COMMAND_TIMEOUT_SECONDS, "kvorum " + String.join(" ", command));
        return Files.readAllLines(list, StandardCharsets.UTF_8);
    }

    /** Dumps a static archive of {@code classList}'s classes, as found on {@code classPath}. */
    static void dump(String classPath, Path classList, Path archive, Path log) throws IOException, InterruptedException {
        run(List.of(java(), "-Xshare:dump", "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + archive, "-cp", classPath), log, DUMP_TIMEOUT_SECONDS, "the archive dump");
        if (!Files.isRegularFile(archive)) {
            throw new IOException("the archive dump wrote no " + archive + " (see " + log + ")");
        }
    }

    /** Runs {@code cmd} with its output in {@code log}; throws unless it exits 0 in time. */
    private static void run(List<String> cmd, Path log, long timeoutSeconds, String what)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(what + " did not finish within " + timeoutSeconds + " s (see " + log + ")");
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " exited " + p.exitValue() + " (see " + log + ")");
        }
    }

    /** The java launcher of the JVM this runs in: the one the build uses. */
    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // nothing more to do: a leftover is ignored by the JVM when it does not match the jars
        }
    }
}
