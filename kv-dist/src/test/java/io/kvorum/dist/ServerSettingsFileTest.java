package io.kvorum.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * conf/kvorum.properties lists every server setting, each with the server's own default; the
 * three-datacenter example uses only real settings, with timings that follow its own advice.
 */
class ServerSettingsFileTest {
    private static final Pattern SETTING = Pattern.compile("^#?([a-z][a-z-]*)=(.*)$");

    /** Settings in a properties file, commented out (#key=value) or not. */
    private static Map<String, String> settingsIn(String file) {
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : Repo.read(file).split("\n")) {
            Matcher m = SETTING.matcher(line.strip());
            if (m.matches()) {
                listed.put(m.group(1), m.group(2).strip());
            }
        }
        return listed;
    }

    @Test
    void everySettingIsListedWithItsDefault() {
        Map<String, String> listed = settingsIn("kv-dist/src/main/dist/conf/kvorum.properties");
        Map<String, String> server = ServerDefaults.settings();
        assertEquals(server.keySet().stream().sorted().toList(), listed.keySet().stream().sorted().toList(),
                "conf/kvorum.properties must list exactly kvorum-server's settings");
        server.forEach((name, value) -> assertEquals(value, listed.get(name), "default of " + name));
    }

    @Test
    void theThreeDatacenterExampleHasFiveMembersTwoTwoOneAndWanTimings() {
        Map<String, String> example = settingsIn("deploy/examples/three-datacenters/cluster.properties");
        assertTrue(ServerDefaults.settings().keySet().containsAll(example.keySet()), example.keySet().toString());
        Map<String, Long> perSite = new TreeMap<>();
        for (String member : example.get("initial-cluster").split(",")) {
            String host = member.substring(member.indexOf('=') + 1, member.lastIndexOf(':'));
            perSite.merge(host.split("\\.")[1], 1L, Long::sum);
        }
        assertEquals(Map.of("ams", 2L, "fra", 2L, "lon", 1L), perSite);
        long heartbeat = Long.parseLong(example.get("heartbeat-ms"));
        long election = Long.parseLong(example.get("election-ms"));
        assertTrue(election >= 10 * heartbeat, "an election timeout of at least ten heartbeats");
    }
}
