package io.kvorum.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The consensus core stays pure (docs/architecture.md, "Layers"): its sources import only java.util, and never
 * reach for a clock, a thread or unseeded randomness. This is what makes the simulation's
 * seeds replay exactly.
 */
class RaftPackagePurityTest {
    private static final Path SOURCES = Path.of("src/main/java/io/kvorum/server/raft");
    private static final Pattern FORBIDDEN = Pattern.compile(
            "System\\.(currentTimeMillis|nanoTime)|new Thread|Thread\\.sleep|new Random\\(\\)|java\\.time\\.");

    @Test
    void coreSourcesImportOnlyJavaUtilAndUseNoClockThreadOrUnseededRandom() throws IOException {
        List<String> offences = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(SOURCES)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertFalse(files.isEmpty(), "no sources found under " + SOURCES.toAbsolutePath());
        for (Path f : files) {
            int n = 0;
            for (String line : Files.readAllLines(f)) {
                n++;
                String t = line.trim();
                if (t.startsWith("import ") && !t.startsWith("import java.util.")) {
                    offences.add(f.getFileName() + ":" + n + " " + t);
                }
                if (!t.startsWith("*") && !t.startsWith("//") && FORBIDDEN.matcher(t).find()) {
                    offences.add(f.getFileName() + ":" + n + " " + t);
                }
            }
        }
        assertEquals(List.of(), offences, "the raft package must stay pure");
    }
}
