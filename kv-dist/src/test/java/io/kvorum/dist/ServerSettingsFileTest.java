package io.kvorum.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** conf/kvorum.properties lists every server setting, each with the server's own default. */
class ServerSettingsFileTest {
    private static final Pattern SETTING = Pattern.compile("^#?([a-z][a-z-]*)=(.*)$");

    @Test
    void everySettingIsListedWithItsDefault() {
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : Repo.read("kv-dist/src/main/dist/conf/kvorum.properties").split("\n")) {
            Matcher m = SETTING.matcher(line.strip());
            if (m.matches()) {
                listed.put(m.group(1), m.group(2).strip());
            }
        }
        Map<String, String> server = ServerDefaults.settings();
        assertEquals(server.keySet().stream().sorted().toList(), listed.keySet().stream().sorted().toList(),
                "conf/kvorum.properties must list exactly kvorum-server's settings");
        server.forEach((name, value) -> assertEquals(value, listed.get(name), "default of " + name));
    }
}
