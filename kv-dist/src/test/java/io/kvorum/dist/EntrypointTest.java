package io.kvorum.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/**
 * deploy/docker/kvorum-entrypoint turns environment variables into server flags. Its server
 * here is a recorder standing in for bin/kvorum-server (it prints JAVA_OPTS and its
 * arguments), and the flags are then parsed by kvorum-server's own command line, so a variable
 * that maps to a wrong or unknown flag fails. The real server behind it: EntrypointIT.
 */
@Timeout(60)
class EntrypointTest {
    private static final Path ENTRYPOINT = Repo.file("deploy/docker/kvorum-entrypoint");

    @TempDir
    Path home;

    @BeforeEach
    void recordingInstall() throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        for (String tool : List.of("kvorum-server", "kvorum")) {
            Path f = bin.resolve(tool);
            Files.writeString(f, "#!/usr/bin/env bash\nprintf '%s\\n' \"tool=" + tool
                    + "\" \"JAVA_OPTS=${JAVA_OPTS:-}\" \"$@\"\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private ProcessRun entrypoint(Map<String, String> vars, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(vars);
        env.put("PATH", System.getenv("PATH"));
        env.put("KVORUM_HOME", home.toString());
        env.putIfAbsent("HOSTNAME", "kvorum-host");
        List<String> cmd = new ArrayList<>(List.of("bash", ENTRYPOINT.toString()));
        cmd.addAll(List.of(args));
        return ProcessRun.run(cmd, home, env, 30);
    }

    /** The server flags the entrypoint passed, parsed by kvorum-server's command line. */
    private static ParseResult serverFlags(ProcessRun run) {
        assertEquals(0, run.exitCode(), run.output());
        List<String> lines = run.lines();
        assertEquals("tool=kvorum-server", lines.get(0));
        return ServerDefaults.commandLine().parseArgs(lines.subList(2, lines.size()).toArray(String[]::new));
    }

    private static String javaOpts(ProcessRun run) {
        return run.lines().get(1).substring("JAVA_OPTS=".length());
    }

    private static String flag(ParseResult r, String name) {
        assertTrue(r.hasMatchedOption(name), name + " not passed");
        return String.valueOf((Object) r.matchedOptionValue(name, null));
    }

    @Test
    void containerDefaultsListenOnAllInterfacesAtTheServersPortsAndKeepDataInTheVolume() throws Exception {
        ProcessRun run = entrypoint(Map.of("KVORUM_ID", "3"));
        ParseResult r = serverFlags(run);
        assertEquals("3", flag(r, "--id"));
        assertEquals("/var/lib/kvorum", flag(r, "--data-dir"));
        assertEquals("0.0.0.0:" + ServerDefaults.port("client-listen"), flag(r, "--client-listen"));
        assertEquals("0.0.0.0:" + ServerDefaults.port("peer-listen"), flag(r, "--peer-listen"));
        assertEquals("0.0.0.0:" + ServerDefaults.port("admin-listen"), flag(r, "--admin-listen"));
        // Listening on 0.0.0.0, the node announces its host name to clients instead.
        assertEquals("kvorum-host:" + ServerDefaults.port("client-listen"), flag(r, "--client-advertise"));
        assertFalse(r.hasMatchedOption("--join"));
        assertEquals("-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError -XX:MetaspaceSize=64m"
                + " -XX:PerMethodTrapLimit=0", javaOpts(run));
    }

    @Test
    void everyServerSettingHasAVariable() throws Exception {
        Map<String, String> vars = new HashMap<>();
        Map<String, String> expected = new HashMap<>();
        for (String setting : ServerDefaults.settings().keySet()) {
            String value = switch (setting) {
                case "id" -> "7";
                case "join", "force-new-cluster", "client-cert-auth", "auth-break-glass" -> "true";
                case "metric-events" -> "false";
                case "log-format" -> "json";
                case "initial-cluster" -> "7=kvorum-6.peers:7380,8=kvorum-7.peers:7380";
                default -> setting.endsWith("-listen") || setting.endsWith("-advertise") ? "127.0.0.9:1234"
                        : setting.endsWith("-dir") ? "/data/" + setting
                        : setting.contains("tls-") && !setting.endsWith("-seconds") ? "/tls/" + setting + ".pem"
                        : "4321";
            };
            vars.put("KVORUM_" + setting.toUpperCase().replace('-', '_'), value);
            expected.put(setting, value);
        }
        Path config = Files.writeString(home.resolve("kvorum.properties"), "snapshot-entries=5\n");
        vars.put("KVORUM_CONFIG", config.toString());
        expected.put("config", config.toString());

        ParseResult r = serverFlags(entrypoint(vars));
        expected.forEach((setting, value) -> assertEquals(value, flag(r, "--" + setting), setting));
    }

    @Test
    void autoIdIsTheStatefulSetOrdinalPlusOne() throws Exception {
        assertEquals("3", flag(serverFlags(entrypoint(Map.of("KVORUM_ID", "auto", "HOSTNAME", "kvorum-2"))), "--id"));
        ProcessRun bad = entrypoint(Map.of("KVORUM_ID", "auto", "HOSTNAME", "kvorum"));
        assertEquals(2, bad.exitCode());
        assertTrue(bad.output().contains("KVORUM_ID=auto needs a host name ending in -ORDINAL"), bad.output());
    }

    @Test
    void aNodeNotAmongTheFoundersJoinsUnderItsAdvertisedPeerAddress() throws Exception {
        String founders = "1=kvorum-0.kvorum-peers:7380,2=kvorum-1.kvorum-peers:7380,3=kvorum-2.kvorum-peers:7380";
        ParseResult founder = serverFlags(entrypoint(Map.of("KVORUM_ID", "2", "KVORUM_INITIAL_CLUSTER", founders)));
        assertEquals(founders, flag(founder, "--initial-cluster"));
        assertFalse(founder.hasMatchedOption("--join"));

        ParseResult added = serverFlags(entrypoint(Map.of("KVORUM_ID", "4", "KVORUM_INITIAL_CLUSTER", founders,
                "KVORUM_PEER_ADVERTISE", "kvorum-3.kvorum-peers:7380")));
        assertEquals(founders + ",4=kvorum-3.kvorum-peers:7380", flag(added, "--initial-cluster"));
        assertEquals("true", flag(added, "--join"));
    }

    private record BadValue(String variable, Map<String, String> vars) {
    }

    @Test
    void badValuesAreRefusedNamingTheVariable() throws Exception {
        for (BadValue bad : List.of(new BadValue("KVORUM_ID", Map.of("KVORUM_ID", "one")),
                new BadValue("KVORUM_ID", Map.of()),
                new BadValue("KVORUM_JOIN", Map.of("KVORUM_ID", "1", "KVORUM_JOIN", "yes")),
                new BadValue("KVORUM_CLIENT_CERT_AUTH", Map.of("KVORUM_ID", "1", "KVORUM_CLIENT_CERT_AUTH", "on")),
                new BadValue("KVORUM_HEAP_PERCENT", Map.of("KVORUM_ID", "1", "KVORUM_HEAP_PERCENT", "150")))) {
            ProcessRun run = entrypoint(bad.vars());
            assertEquals(2, run.exitCode(), bad + ": " + run.output());
            assertTrue(run.output().startsWith("kvorum-entrypoint: " + bad.variable()), bad + ": " + run.output());
        }
    }

    @Test
    void heapFollowsThePercentageAndJavaOptsComeAfterIt() throws Exception {
        ProcessRun run = entrypoint(Map.of("KVORUM_ID", "1", "KVORUM_HEAP_PERCENT", "40", "JAVA_OPTS", "-Xmx300m"));
        assertEquals("-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError -XX:MetaspaceSize=64m"
                + " -XX:PerMethodTrapLimit=0 -Xmx300m", javaOpts(run));
    }

    @Test
    void flagArgumentsAreAddedAndOtherCommandsRunInsteadOfTheServer() throws Exception {
        ParseResult r = serverFlags(entrypoint(Map.of("KVORUM_ID", "1"), "--heartbeat-ms", "250"));
        assertEquals("250", flag(r, "--heartbeat-ms"));

        ProcessRun cli = entrypoint(Map.of("KVORUM_ID", "1"), "kvorum", "status");
        assertEquals(0, cli.exitCode(), cli.output());
        assertEquals(List.of("tool=kvorum", "JAVA_OPTS=", "status"), cli.lines());
    }
}
