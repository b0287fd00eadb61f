package io.kvorum.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.kvorum.server.testing.InJvmCluster;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/http-api.yaml and the server cannot drift apart: the document lists exactly the routes
 * the server serves, each with exactly the query parameters the server takes, and every
 * documented route answers over HTTP with something other than "no such endpoint".
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenApiDocumentTest {
    private static final Pattern PATH = Pattern.compile("^  (/\\S+):\\s*$");
    private static final Pattern METHOD = Pattern.compile("^    (get|put|post|delete|patch|head):\\s*$");
    private static final Pattern REF = Pattern.compile("^\\s*- \\$ref: \"#/components/parameters/(\\w+)\"\\s*$");
    private static final Pattern NAME = Pattern.compile("^\\s*(?:- )?name: (\\S+)\\s*$");
    private static final Pattern IN = Pattern.compile("^\\s*in: (\\w+)\\s*$");
    private static final Pattern COMPONENT_PARAM = Pattern.compile("^    (\\w+):\\s*$");

    @TempDir
    Path dir;

    static Path document() {
        Path d = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && d != null; i++, d = d.getParent()) {
            Path doc = d.resolve("docs/http-api.yaml");
            if (Files.exists(doc)) {
                return doc;
            }
        }
        throw new AssertionError("docs/http-api.yaml not found above " + Path.of("").toAbsolutePath());
    }

    /** "METHOD /template" to the query parameters the document gives it (path-level ones included). */
    static Map<String, Set<String>> documented(List<String> lines) {
        Map<String, String[]> components = new HashMap<>(); // name -> {param name, in}
        int start = lines.indexOf("  parameters:");
        for (int i = start + 1; start >= 0 && i < lines.size() && lines.get(i).startsWith("    "); i++) {
            Matcher c = COMPONENT_PARAM.matcher(lines.get(i));
            if (c.matches()) {
                String name = null;
                String in = null;
                for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("      "); j++) {
                    Matcher n = NAME.matcher(lines.get(j));
                    Matcher w = IN.matcher(lines.get(j));
                    if (n.matches() && name == null) {
                        name = n.group(1);
                    }
                    if (w.matches() && in == null) {
                        in = w.group(1);
                    }
                }
                components.put(c.group(1), new String[] {name, in});
            }
        }
        Map<String, Set<String>> out = new TreeMap<>();
        String path = null;
        Set<String> pathLevel = new TreeSet<>();
        String current = null;
        String pendingName = null;
        for (String line : lines) {
            if (line.equals("components:")) {
                break;
            }
            Matcher p = PATH.matcher(line);
            Matcher m = METHOD.matcher(line);
            Matcher r = REF.matcher(line);
            Matcher n = NAME.matcher(line);
            Matcher w = IN.matcher(line);
            if (p.matches()) {
                path = p.group(1);
                pathLevel = new TreeSet<>();
                current = null;
            } else if (m.matches()) {
                current = m.group(1).toUpperCase() + " " + path;
                out.put(current, new TreeSet<>(pathLevel));
            } else if (r.matches()) {
                String[] c = components.get(r.group(1));
                if (c == null) {
                    throw new AssertionError("docs/http-api.yaml refers to an undefined parameter " + r.group(1));
                }
                if (c[1].equals("query")) {
                    (current == null ? pathLevel : out.get(current)).add(c[0]);
                }
            } else if (n.matches() && path != null) {
                pendingName = n.group(1);
            } else if (w.matches() && pendingName != null) {
                if (w.group(1).equals("query")) {
                    (current == null ? pathLevel : out.get(current)).add(pendingName);
                }
                pendingName = null;
            }
        }
        return out;
    }

    @Test
    void theDocumentListsExactlyTheRoutesServedAndEachIsServed() throws Exception {
        List<String> lines = Files.readAllLines(document());
        Map<String, Set<String>> doc = documented(lines);
        try (InJvmCluster cluster = new InJvmCluster(dir, 1, "openapi")) {
            cluster.startAll();
            cluster.awaitLeader();
            try (HttpNodes http = new HttpNodes(cluster)) {
                HttpApiServer server = http.start(1);
                Map<String, Set<String>> served = new TreeMap<>();
                for (Router.Route r : server.routeTable()) {
                    served.put(r.method() + " " + r.template(), new TreeSet<>(r.params()));
                }
                assertEquals(served.keySet(), doc.keySet(), "routes: served vs docs/http-api.yaml");
                assertEquals(served, doc, "query parameters per route: served vs docs/http-api.yaml");
                assertEquals(new TreeSet<>(server.routes()), doc.keySet());

                List<String> probed = new ArrayList<>();
                for (String route : doc.keySet()) {
                    String method = route.substring(0, route.indexOf(' '));
                    String target = route.substring(route.indexOf(' ') + 1).replace("{path}", "openapi-probe")
                            .replace("{id}", "1").replace("{name}", "openapi-probe").replace("{check}", "ttl");
                    HttpResponse<InputStream> r = http.client.send(HttpRequest.newBuilder(http.uri(1, target))
                            .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                            .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofInputStream());
                    String reason = "";
                    try (InputStream body = r.body()) {
                        if (r.statusCode() >= 400) {
                            reason = JsonParser.parseString(new String(body.readAllBytes(), StandardCharsets.UTF_8))
                                    .getAsJsonObject().getAsJsonObject("error").get("reason").getAsString();
                        }
                    }
                    assertNotEquals(405, r.statusCode(), route);
                    assertTrue(r.statusCode() != 404 || !reason.equals("ERROR_REASON_UNSPECIFIED"),
                            route + " is documented but not served");
                    probed.add(route + " -> " + r.statusCode());
                }
                assertEquals(doc.size(), probed.size(), probed.toString());
            }
        }
    }
}
