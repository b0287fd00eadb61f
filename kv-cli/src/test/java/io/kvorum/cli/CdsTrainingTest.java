package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.testing.InJvmCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the training of bin/kvorum's class-data-sharing archive (CdsTraining): that it runs
 * with the JVM flags bin/kvorum uses, and that it covers what an everyday command loads,
 * the answer path included. A training that stopped completing its calls (no server, a
 * command that fails) or dropped a command would leave those classes to be parsed and
 * verified from the jars on every run; nothing else would notice, as bin/kvorum works
 * without them, only slower.
 */
class CdsTrainingTest {
    /**
     * How many of a command's classes may be missing from the training's list: the order in
     * which gRPC's threads meet decides a few (DelayedStream's listener tasks, say) run to run.
     */
    private static final int RUN_TO_RUN_SLACK = 20;

    @TempDir
    Path tmp;

    @Test
    void binKvorumStartsCommandsWithTheTrainedFlags() throws Exception {
        String launcher = Files.readString(Path.of("..", "bin", "kvorum"), StandardCharsets.UTF_8);
        String opts = launcher.lines().filter(l -> l.startsWith("opts=\"")).findFirst().orElseThrow(
                () -> new AssertionError("bin/kvorum sets no opts=\"...\" for a command"));
        for (String flag : CdsTraining.JVM_FLAGS) {
            assertTrue(opts.contains(flag), "bin/kvorum's " + opts + " lacks " + flag
                    + ": the archive is trained with flags the commands do not run with");
        }
    }

    @Test
    void trainingCoversTheClassesOfAGetAndASetAnswerPathIncluded() throws Exception {
        String classPath = System.getProperty("java.class.path");
        Path classList = tmp.resolve("kvorum.classlist");
        List<String> probeGet;
        List<String> probeSet;
        try (InJvmCluster cluster = new InJvmCluster(tmp.resolve("data"), 1, "cds-training-test")) {
            cluster.startAll();
            cluster.awaitLeader();
            CdsTraining.train(classPath, cluster.endpoints(), classList, tmp);
            Run.kvorum("--endpoints", cluster.endpoints(), "create", "/probe", "a");
            probeGet = CdsTraining.loadedClasses(classPath, cluster.endpoints(), List.of("get", "/probe"),
                    tmp.resolve("probe-get"));
            probeSet = CdsTraining.loadedClasses(classPath, cluster.endpoints(), List.of("set", "/probe", "b"),
                    tmp.resolve("probe-set"));
        }
        Set<String> trained = classNames(Files.readAllLines(classList, StandardCharsets.UTF_8));

        for (String answerPath : List.of("io/kvorum/proto/v1/GetResponse", "io/kvorum/proto/v1/SetResponse",
                "io/grpc/internal/ClientCallImpl$ClientStreamListenerImpl", "io/grpc/internal/MessageDeframer",
                "io/grpc/netty/shaded/io/grpc/netty/NettyClientStream$TransportState")) {
            assertTrue(trained.contains(answerPath), "the training did not load " + answerPath
                    + ": its calls did not complete");
        }
        for (List<String> probe : List.of(probeGet, probeSet)) {
            Set<String> missing = new HashSet<>(classNames(probe));
            missing.removeAll(trained);
            assertTrue(missing.size() <= RUN_TO_RUN_SLACK, missing.size() + " classes a command loads are not in "
                    + "the training's list: " + missing.stream().sorted().collect(Collectors.joining(", ")));
        }
    }

    /** The classes a class list names (not its comments, lambda and method-handle lines). */
    private static Set<String> classNames(List<String> classList) {
        try (Stream<String> lines = classList.stream()) {
            return lines.filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("@"))
                    .map(l -> l.split(" ", 2)[0]).collect(Collectors.toSet());
        }
    }
}
