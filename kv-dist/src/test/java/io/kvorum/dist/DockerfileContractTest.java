package io.kvorum.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The image cannot be built here (no registry), so its Dockerfile is held to its contract:
 * what the final stage declares agrees with the server's defaults and the entrypoint.
 */
class DockerfileContractTest {
    private record Instruction(String keyword, String args) {
    }

    /** The final stage's instructions, continuation lines joined, comments dropped. */
    private static List<Instruction> finalStage() {
        List<Instruction> all = new ArrayList<>();
        String joined = Repo.read("Dockerfile").lines().filter(l -> !l.strip().startsWith("#"))
                .collect(Collectors.joining("\n")).replace("\\\n", " ");
        for (String line : joined.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty()) {
                int sp = l.indexOf(' ');
                all.add(new Instruction(l.substring(0, sp).toUpperCase(), l.substring(sp + 1).strip()));
            }
        }
        int lastFrom = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                lastFrom = i;
            }
        }
        return all.subList(lastFrom, all.size());
    }

    private static List<String> argsOf(String keyword) {
        return finalStage().stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
    }

    private static String only(String keyword) {
        List<String> found = argsOf(keyword);
        assertEquals(1, found.size(), keyword + " in the final stage: " + found);
        return found.get(0);
    }

    private static String entrypointDefault(String variable) {
        Matcher m = Pattern.compile("\\$\\{" + variable + ":-([^}]+)}").matcher(Repo.read("deploy/docker/kvorum-entrypoint"));
        assertTrue(m.find(), "the entrypoint has no default for " + variable);
        return m.group(1);
    }

    @Test
    void runsAsTheUnprivilegedUserItCreates() {
        String user = only("USER");
        assertNotEquals("root", user.split(":")[0]);
        assertNotEquals("0", user.split(":")[0]);
        String created = String.join(" ", argsOf("RUN"));
        assertTrue(created.contains("useradd --system --uid " + user.split(":")[0]), created);
    }

    @Test
    void exposesTheServersDefaultPorts() {
        Set<Integer> exposed = Pattern.compile("\\s+").splitAsStream(only("EXPOSE")).map(Integer::parseInt)
                .collect(Collectors.toSet());
        assertEquals(Set.of(ServerDefaults.port("client-listen"), ServerDefaults.port("peer-listen"),
                ServerDefaults.port("admin-listen")), exposed);
    }

    @Test
    void theVolumeIsTheDataDirTheEntrypointUsesAndTheUserOwns() {
        String volume = only("VOLUME");
        assertEquals("/var/lib/kvorum", volume);
        assertEquals(volume, entrypointDefault("KVORUM_DATA_DIR"));
        assertTrue(only("ENV").contains("KVORUM_DATA_DIR=" + volume), only("ENV"));
        assertTrue(String.join(" ", argsOf("RUN")).contains("chown kvorum:kvorum " + volume));
    }

    @Test
    void theEntrypointIsTheArchivesExecFormSoSignalsReachIt() {
        // Exec form (a JSON array): no shell in between to swallow SIGTERM.
        assertEquals("[\"/opt/kvorum/bin/kvorum-entrypoint\"]", only("ENTRYPOINT"));
        assertEquals("--from=build /kvorum /opt/kvorum", only("COPY"));
        assertEquals("SIGTERM", only("STOPSIGNAL"));
        assertTrue(Repo.read("kv-dist/src/assembly/release.xml").contains("<include>kvorum-entrypoint</include>"));
    }

    @Test
    void theBuildStageMakesTheReleaseArchive() {
        String dockerfile = Repo.read("Dockerfile");
        assertTrue(dockerfile.contains("mvn -B -ntp -DskipTests -pl kv-dist -am package"), "build stage");
        assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre"), "runs on a JRE 17");
    }
}
