package io.kvorum.server.metrics;

import io.kvorum.server.admin.AdminServer;
import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * An admin server (loopback, ephemeral port) on each running node of an in-JVM cluster, as a
 * server process has, and scrapes of their {@code /metrics} parsed by {@link PromText}.
 */
final class Scraper implements AutoCloseable {
    private final Map<Long, AdminServer> admins = new TreeMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Scraper(InJvmCluster cluster) throws IOException {
        for (long id : cluster.runningIds()) {
            InJvmCluster.Running r = cluster.node(id);
            AdminServer a = new AdminServer(new InetSocketAddress("127.0.0.1", 0), r.node(), r.metrics());
            a.start();
            admins.put(id, a);
        }
    }

    int port(long id) {
        return admins.get(id).port();
    }

    /** The raw text of node {@code id}'s /metrics, after checking status and content type. */
    String text(long id) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(id) + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("/metrics of node " + id + " answered " + resp.statusCode());
            }
            String type = resp.headers().firstValue("Content-Type").orElse("");
            if (!type.startsWith("text/plain") || !type.contains("version=0.0.4")) {
                throw new IllegalStateException("/metrics of node " + id + " has content type '" + type + "'");
            }
            return resp.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Map<String, PromText.Family> scrape(long id) {
        return PromText.parse(text(id));
    }

    /** The sum of every sample called {@code sample} whose labels include {@code labels}; 0 if none. */
    static double sum(Map<String, PromText.Family> scrape, String family, String sample, Map<String, String> labels) {
        PromText.Family f = scrape.get(family);
        if (f == null) {
            return 0;
        }
        return f.find(sample, labels).stream().mapToDouble(PromText.Sample::value).sum();
    }

    @Override
    public void close() {
        admins.values().forEach(AdminServer::close);
    }
}
