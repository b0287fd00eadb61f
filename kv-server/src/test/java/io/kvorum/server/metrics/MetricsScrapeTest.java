package io.kvorum.server.metrics;

import static io.kvorum.server.metrics.Scraper.sum;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes /metrics of a running three-node cluster before and after a {@link SampleLoad}, parses every scrape strictly, and checks that the figures
 * an operator relies on move with the load.
 */
class MetricsScrapeTest {
    private static final String SET = SampleLoad.SET;
    private static final String GET = SampleLoad.GET;
    private static final int WRITES = 200;

    @Test
    void countersMoveWithLoadAndEveryScrapeParsesStrictly(@TempDir Path dir) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "metrics-test").startAll()) {
            long leader = cluster.awaitLeader();
            try (Scraper scraper = new Scraper(cluster)) {
                Map<String, PromText.Family> before = scraper.scrape(leader);
                checkNames(before);

                StreamObserver<WatchRequest> watch = SampleLoad.run(cluster, leader, WRITES);

                Map<String, PromText.Family> after = scraper.scrape(leader);
                checkNames(after);
                counterGrew(before, after, "kvorum_api_requests_total", Map.of("method", SET, "code", "OK"), WRITES);
                counterGrew(before, after, "kvorum_api_requests_total", Map.of("method", GET, "code", "NOT_FOUND"),
                        1);
                assertGrew(before, after, "kvorum_api_request_duration_seconds",
                        "kvorum_api_request_duration_seconds_count", Map.of("method", SET), WRITES);
                assertGrew(before, after, "kvorum_admission_admitted_duration_seconds",
                        "kvorum_admission_admitted_duration_seconds_count", Map.of("kind", "write"), WRITES);
                assertEquals(0, value(after, "kvorum_admission_refused_total", Map.of("kind", "write")),
                        "nothing refused under a light load");
                assertEquals(0, value(after, "kvorum_admission_in_flight", Map.of("kind", "write")),
                        "every admitted write answered");
                counterGrew(before, after, "kvorum_api_received_bytes_total", Map.of("method", SET), WRITES);
                counterGrew(before, after, "kvorum_api_sent_bytes_total", Map.of("method", SET), WRITES);
                counterGrew(before, after, "kvorum_raft_proposals_received_total", Map.of(), WRITES);
                counterGrew(before, after, "kvorum_raft_proposals_committed_total", Map.of(), WRITES);
                counterGrew(before, after, "kvorum_storage_log_entries_read_total", Map.of("source", "memory"), WRITES);
                assertGrew(before, after, "kvorum_raft_commit_index", "kvorum_raft_commit_index", Map.of(), WRITES);
                assertGrew(before, after, "kvorum_storage_fsync_duration_seconds",
                        "kvorum_storage_fsync_duration_seconds_count", Map.of(), 1);
                assertGrew(before, after, "kvorum_storage_apply_batch_duration_seconds",
                        "kvorum_storage_apply_batch_duration_seconds_count", Map.of(), 1);
                counterGrew(before, after, "kvorum_transport_messages_sent_total", Map.of("lane", "bulk"), WRITES);
                counterGrew(before, after, "kvorum_transport_sent_bytes_total", Map.of("lane", "bulk"), WRITES);
                counterGrew(before, after, "kvorum_watch_events_sent_total", Map.of(),
                        WRITES);
                assertEquals(1, value(after, "kvorum_watches_open"), "open watches");
                assertTrue(value(after, "kvorum_sessions_open") >= 1, "open sessions");
                assertEquals(1, value(after, "kvorum_raft_is_leader"));
                assertEquals(1, sum(after, "kvorum_raft_role", "kvorum_raft_role", Map.of("role", "leader")));
                assertEquals(3, value(after, "kvorum_cluster_voters_active"));
                assertEquals(2, after.get("kvorum_raft_peer_replication_lag_entries").samples().size(),
                        "the leader reports the lag of both followers");
                assertTrue(sum(after, "kvorum_raft_peer_heartbeat_rtt_seconds",
                        "kvorum_raft_peer_heartbeat_rtt_seconds_count", Map.of()) > 0, "heartbeat round trips timed");
                assertTrue(value(after, "kvorum_storage_log_entries") >= WRITES);
                assertTrue(value(after, "kvorum_storage_filesystem_free_bytes") > 0);
                assertTrue(value(after, "kvorum_storage_memory_bytes", Map.of("kind", "memtables")) > 0,
                        "the writes sit in a memtable");
                assertTrue(value(after, "jvm_memory_used_bytes", Map.of("area", "heap")) > 0, "JVM metrics");
                assertNotNull(after.get("process_cpu_seconds_total"), "process metrics");
                watch.onCompleted();

                // Every follower applied the writes and says so.
                for (long id : cluster.runningIds()) {
                    if (id != leader) {
                        await().atMost(Duration.ofSeconds(30)).until(() ->
                                value(scraper.scrape(id), "kvorum_raft_applied_index")
                                        >= value(after, "kvorum_raft_commit_index"));
                        Map<String, PromText.Family> f = scraper.scrape(id);
                        checkNames(f);
                        assertEquals(0, value(f, "kvorum_raft_is_leader"));
                        assertEquals(leader, value(f, "kvorum_raft_leader_id"));
                    }
                }
            }
        }
    }

    /** Kvorum's own families follow the conventions: prefix, HELP, counters _total, histograms in seconds. */
    static void checkNames(Map<String, PromText.Family> scrape) {
        for (PromText.Family f : scrape.values()) {
            assertTrue(f.name().startsWith("kvorum_") || f.name().startsWith("jvm_")
                    || f.name().startsWith("process_"), "unexpected family " + f.name());
            assertTrue(f.help() != null && !f.help().isBlank(), f.name() + " has no HELP");
            if (f.name().startsWith("kvorum_") && f.type().equals("histogram")) {
                assertTrue(f.name().endsWith("_seconds"), f.name() + ": histograms here measure seconds");
            }
            assertEquals(f.type().equals("counter"), f.name().endsWith("_total"),
                    f.name() + ": counters, and only counters, end in _total");
        }
    }

    private static double value(Map<String, PromText.Family> scrape, String family) {
        return value(scrape, family, Map.of());
    }

    private static double value(Map<String, PromText.Family> scrape, String family, Map<String, String> labels) {
        PromText.Family f = scrape.get(family);
        assertNotNull(f, family + " missing from the scrape");
        return sum(scrape, family, f.samples().get(0).name(), labels);
    }

    private static void counterGrew(Map<String, PromText.Family> before, Map<String, PromText.Family> after,
                                    String counter, Map<String, String> labels, double atLeast) {
        assertGrew(before, after, counter, counter, labels, atLeast);
    }

    private static void assertGrew(Map<String, PromText.Family> before, Map<String, PromText.Family> after,
                                   String family, String sample, Map<String, String> labels, double atLeast) {
        assertNotNull(after.get(family), family + " missing from the scrape");
        double grew = sum(after, family, sample, labels) - sum(before, family, sample, labels);
        assertTrue(grew >= atLeast, sample + labels + " grew by " + grew + ", expected at least " + atLeast);
    }
}
