package io.kvorum.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the alert rules and the Grafana dashboard in {@code deploy/monitoring/} name
 * exists in a real scrape of a cluster under load, with every label their selectors use, so
 * a renamed metric cannot leave a rule silently matching nothing. Also checks that every
 * alert has a summary and a runbook line, and that both scrape configurations load the rules.
 */
class MonitoringConfigTest {
    /** A metric name in a PromQL expression: ours, the JVM's, the process's, or Prometheus' own up. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:kvorum|jvm|process)_[a-zA-Z0-9_]+\\b|\\bup\\b");
    private static final Pattern SELECTOR = Pattern.compile("\\b((?:kvorum|jvm|process)_[a-zA-Z0-9_]+)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
    /** Labels Prometheus attaches from the scrape configuration, not exported by the node. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "node", "cluster");
    private static final Pattern ALERT_EXPR = Pattern.compile(
            "(?m)^\\s*expr:\\s*(?:>\\s*\\n((?:\\s{10,}.*\\n)+)|(.*))");
    private static final Pattern DASHBOARD_EXPR = Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Path monitoringDir() {
        Path here = Path.of("").toAbsolutePath();
        Path dir = here.resolve("deploy/monitoring");
        return Files.isDirectory(dir) ? dir : here.getParent().resolve("deploy/monitoring");
    }

    @Test
    void alertRulesAndDashboardNameOnlyMetricsAndLabelsThatExist(@TempDir Path tmp) throws Exception {
        Path dir = monitoringDir();
        String alerts = Files.readString(dir.resolve("alerts.yml"));
        String dashboard = Files.readString(dir.resolve("grafana-dashboard.json"));
        List<String> exprs = new ArrayList<>();
        Matcher m = ALERT_EXPR.matcher(alerts);
        while (m.find()) {
            exprs.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        int alertCount = count(alerts, "- alert:");
        assertEquals(alertCount, exprs.size(), "one expr per alert");
        m = DASHBOARD_EXPR.matcher(dashboard);
        int dashboardExprs = 0;
        while (m.find()) {
            exprs.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
            dashboardExprs++;
        }
        assertTrue(dashboardExprs > 30, "the dashboard's queries were found: " + dashboardExprs);

        Map<String, Set<String>> labelsBySample = new HashMap<>();
        try (InJvmCluster cluster = new InJvmCluster(tmp, 3, "monitoring-test").startAll()) {
            long leader = cluster.awaitLeader();
            SampleLoad.run(cluster, leader, 50).onCompleted();
            try (Scraper scraper = new Scraper(cluster)) {
                for (long id : cluster.runningIds()) {
                    for (PromText.Family f : scraper.scrape(id).values()) {
                        for (PromText.Sample s : f.samples()) {
                            labelsBySample.computeIfAbsent(s.name(), k -> new HashSet<>()).addAll(s.labels().keySet());
                        }
                    }
                }
            }
        }
        labelsBySample.put("up", Set.of());

        Set<String> missing = new TreeSet<>();
        for (String e : exprs) {
            Matcher names = METRIC.matcher(e);
            while (names.find()) {
                if (!labelsBySample.containsKey(names.group())) {
                    missing.add(names.group() + "  (in: " + e.strip() + ")");
                }
            }
            Matcher sel = SELECTOR.matcher(e);
            while (sel.find()) {
                Set<String> has = labelsBySample.getOrDefault(sel.group(1), Set.of());
                Matcher label = MATCHER.matcher(sel.group(2));
                while (label.find()) {
                    if (!TARGET_LABELS.contains(label.group(1)) && !has.contains(label.group(1))) {
                        missing.add(sel.group(1) + " has no label " + label.group(1));
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "named in deploy/monitoring but not in a real scrape:\n"
                + String.join("\n", missing));
    }

    @Test
    void everyAlertHasASummaryAndARunbookAndBothScrapeConfigsLoadTheRules() throws IOException {
        Path dir = monitoringDir();
        String alerts = Files.readString(dir.resolve("alerts.yml"));
        int n = count(alerts, "- alert:");
        assertTrue(n >= 10, "alert rules found: " + n);
        assertEquals(n, count(alerts, "summary:"), "a summary per alert");
        assertEquals(n, count(alerts, "runbook:"), "a runbook line per alert");
        for (String expected : List.of("KvorumNoLeader", "KvorumLeaderChangesFrequent", "KvorumMemberDown",
                "KvorumQuorumAtRisk", "KvorumProposalsFailing", "KvorumApplyLagGrowing", "KvorumFsyncSlow",
                "KvorumDiskNearFull", "KvorumHeapNearLimit")) {
            assertTrue(alerts.contains("- alert: " + expected + "\n"), "alert " + expected);
        }
        for (int nodes : new int[] {3, 5}) {
            String scrape = Files.readString(dir.resolve("prometheus-" + nodes + "-nodes.yml"));
            assertTrue(scrape.contains("- alerts.yml"), nodes + "-node config loads the rules");
            assertEquals(nodes, count(scrape, "- targets:"), nodes + "-node config scrapes every node");
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
