package io.kvorum.server.metrics;

import io.kvorum.server.testing.InJvmCluster;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import javax.imageio.ImageIO;

/**
 * Renders a few of the dashboard's panels from real scrapes: a three-node in-JVM cluster under
 * a writer, the leader's /metrics scraped every second, each panel computed from consecutive
 * scrapes as its PromQL query would be (rates from counter growth, p99 from bucket growth),
 * drawn to a PNG. A picture of what the metrics show, not a replacement for Grafana.
 *
 * <p>Run: {@code mvn -o -q -pl kv-server -am exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.kvorum.server.metrics.DashboardRender -Dexec.args="OUT.png SECONDS"}
 */
public final class DashboardRender {
    private record Panel(String title, String unit, BiFunction<Map<String, PromText.Family>,
            Map<String, PromText.Family>, Double> value) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "dashboard.png");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        List<Panel> panels = List.of(
                new Panel("Requests/s (KV/Set, OK)", "/s", (a, b) -> rate(a, b, "kvorum_api_requests_total",
                        Map.of("method", SampleLoad.SET, "code", "OK"))),
                new Panel("Set latency p99", "ms", (a, b) -> 1000 * p99(a, b, "kvorum_api_request_duration_seconds",
                        Map.of("method", SampleLoad.SET))),
                new Panel("Fsync p99", "ms", (a, b) -> 1000 * p99(a, b, "kvorum_storage_fsync_duration_seconds",
                        Map.of())),
                new Panel("Proposals committed/s", "/s", (a, b) -> rate(a, b,
                        "kvorum_raft_proposals_committed_total", Map.of())),
                new Panel("Max follower lag", "entries", (a, b) -> b.get("kvorum_raft_peer_replication_lag_entries")
                        .samples().stream().mapToDouble(PromText.Sample::value).max().orElse(0)),
                new Panel("Heartbeat RTT p99", "ms", (a, b) -> 1000 * p99(a, b,
                        "kvorum_raft_peer_heartbeat_rtt_seconds", Map.of())),
                new Panel("Bulk lane bytes/s", "KiB/s", (a, b) -> rate(a, b, "kvorum_transport_sent_bytes_total",
                        Map.of("lane", "bulk")) / 1024),
                new Panel("Heap used", "MiB", (a, b) -> Scraper.sum(b, "jvm_memory_used_bytes",
                        "jvm_memory_used_bytes", Map.of("area", "heap")) / (1 << 20)));
        List<List<Double>> series = new ArrayList<>();
        panels.forEach(p -> series.add(new ArrayList<>()));
        Path dir = Files.createTempDirectory("kvorum-dashboard");
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "dashboard").startAll()) {
            long leader = cluster.awaitLeader();
            SampleLoad.run(cluster, leader, 20).onCompleted();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        cluster.kv(leader).set(io.kvorum.proto.v1.SetRequest.newBuilder()
                                .setPath("/load/k" + (i % SampleLoad.KEYS)).setExpectedVersion(-1)
                                .setData(com.google.protobuf.ByteString.copyFromUtf8("v" + i)).build());
                    } catch (RuntimeException e) {
                        // keep writing: a failed write shows in the error panels, not here
                    }
                }
            });
            writer.start();
            try (Scraper scraper = new Scraper(cluster)) {
                Map<String, PromText.Family> previous = scraper.scrape(leader);
                for (int s = 0; s < seconds; s++) {
                    Thread.sleep(1000);
                    Map<String, PromText.Family> now = scraper.scrape(leader);
                    for (int i = 0; i < panels.size(); i++) {
                        series.get(i).add(panels.get(i).value().apply(previous, now));
                    }
                    previous = now;
                }
            } finally {
                stop.set(true);
                writer.join(30_000);
            }
        }
        draw(out, panels, series);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static double rate(Map<String, PromText.Family> a, Map<String, PromText.Family> b, String counter,
                               Map<String, String> labels) {
        return Scraper.sum(b, counter, counter, labels) - Scraper.sum(a, counter, counter, labels);
    }

    /** p99 of the histogram's growth between the scrapes, interpolated like histogram_quantile; 0 if none. */
    private static double p99(Map<String, PromText.Family> a, Map<String, PromText.Family> b, String histogram,
                              Map<String, String> labels) {
        TreeMap<Double, Double> grown = new TreeMap<>();
        PromText.Family f = b.get(histogram);
        for (PromText.Sample s : f.samples()) {
            if (s.name().endsWith("_bucket") && s.labels().entrySet().containsAll(labels.entrySet())) {
                double le = s.label("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s.label("le"));
                Map<String, String> match = new TreeMap<>(s.labels());
                grown.merge(le, s.value() - Scraper.sum(a, histogram, s.name(), match), Double::sum);
            }
        }
        if (grown.isEmpty() || grown.lastEntry().getValue() <= 0) {
            return 0;
        }
        double rank = 0.99 * grown.lastEntry().getValue();
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> e : grown.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return lower;
                }
                double in = e.getValue() - below;
                return in <= 0 ? e.getKey() : lower + (e.getKey() - lower) * (rank - below) / in;
            }
            lower = e.getKey();
            below = e.getValue();
        }
        return lower;
    }

    private static void draw(Path out, List<Panel> panels, List<List<Double>> series) throws IOException {
        int cols = 4;
        int w = 360;
        int h = 220;
        int rows = (panels.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * w, rows * h + 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(0x11, 0x12, 0x17));
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(new Color(0xd8, 0xd9, 0xda));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Kvorum - leader of a 3-node in-JVM cluster under a closed-loop writer, scraped every second",
                10, 20);
        for (int i = 0; i < panels.size(); i++) {
            int x0 = (i % cols) * w + 8;
            int y0 = (i / cols) * h + 30;
            drawPanel(g, panels.get(i), series.get(i), x0, y0, w - 16, h - 10);
        }
        g.dispose();
        Files.createDirectories(out.toAbsolutePath().getParent());
        ImageIO.write(img, "png", out.toFile());
    }

    private static void drawPanel(Graphics2D g, Panel p, List<Double> values, int x0, int y0, int w, int h) {
        g.setColor(new Color(0x18, 0x1b, 0x1f));
        g.fillRect(x0, y0, w, h);
        g.setColor(new Color(0x2c, 0x32, 0x35));
        g.drawRect(x0, y0, w, h);
        g.setColor(new Color(0xd8, 0xd9, 0xda));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(p.title(), x0 + 8, y0 + 18);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double last = values.isEmpty() ? 0 : values.get(values.size() - 1);
        double top = max <= 0 ? 1 : max * 1.1;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(String.format(Locale.ROOT, "last %.2f %s   max %.2f", last, p.unit(), max), x0 + 8, y0 + 34);
        int px = x0 + 40;
        int py = y0 + 44;
        int pw = w - 50;
        int ph = h - 64;
        g.setColor(new Color(0x2c, 0x32, 0x35));
        for (int k = 0; k <= 4; k++) {
            int y = py + ph - k * ph / 4;
            g.drawLine(px, y, px + pw, y);
        }
        g.setColor(new Color(0x8e, 0x8e, 0x8e));
        g.drawString(String.format(Locale.ROOT, "%.3g", top), x0 + 2, py + 10);
        g.drawString("0", x0 + 28, py + ph);
        g.drawString(values.size() + " s", px + pw - 24, py + ph + 14);
        if (values.size() < 2) {
            return;
        }
        g.setColor(new Color(0x73, 0xbf, 0x69));
        g.setStroke(new BasicStroke(2f));
        for (int k = 1; k < values.size(); k++) {
            int xa = px + (k - 1) * pw / (values.size() - 1);
            int xb = px + k * pw / (values.size() - 1);
            int ya = py + ph - (int) (values.get(k - 1) / top * ph);
            int yb = py + ph - (int) (values.get(k) / top * ph);
            g.drawLine(xa, ya, xb, yb);
        }
        g.setStroke(new BasicStroke(1f));
    }
}
