package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.ClusterUnavailableException;
import io.kvorum.client.CreateMode;
import io.kvorum.client.CreateResult;
import io.kvorum.client.DeadlineExceededException;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.WatchEvent;
import io.kvorum.client.WatchSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Done-criterion 1: killing the leader during a write load loses no acknowledged write and
 * duplicates none. Each write creates a sequential node whose data is a unique id; a write the
 * client retried after the leader died must appear once (the (client id, sequence) dedupe),
 * and a write it acknowledged must appear.
 */
class LeaderFailoverIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderFailoverIntegrationTest.class);

    @TempDir
    Path dir;

    @Test
    void killingTheLeaderDuringAWriteLoadLosesNoAcknowledgedWriteAndDuplicatesNone() throws Exception {
        try (RealCluster cluster = new RealCluster(dir, 3).startAll();
             KvorumClient client = ItClients.of(cluster)) {
            long leader = cluster.awaitLeader();
            long from = client.create("/load", new byte[0]).revision() + 1;
            // A watcher whose stream starts on the leader: it must resume elsewhere without a gap.
            List<String> watched = new CopyOnWriteArrayList<>();
            try (KvorumClient watcher = KvorumClient.builder().endpoints(cluster.addressesStartingWith(leader))
                    .sessionTtl(Duration.ofSeconds(2)).watchCheckInterval(Duration.ofSeconds(1)).build()) {
                watcher.watch(WatchSpec.subtree("/load").fromRevision(from), e -> {
                    if (e.type() == WatchEvent.Type.CREATED) {
                        watched.add(e.path());
                    }
                });

                Map<String, String> acked = new ConcurrentHashMap<>(); // id -> path
                Set<String> unknown = ConcurrentHashMap.newKeySet();
                List<Throwable> unexpected = new CopyOnWriteArrayList<>();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicBoolean killed = new AtomicBoolean();
                AtomicInteger ackedAfterKill = new AtomicInteger();
                List<Thread> writers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int writer = t;
                    Thread th = new Thread(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            String id = "w" + writer + "-" + i;
                            try {
                                CreateResult r = client.create("/load/x-", id.getBytes(StandardCharsets.UTF_8),
                                        CreateMode.PERSISTENT_SEQUENTIAL);
                                acked.put(id, r.path());
                                if (killed.get()) {
                                    ackedAfterKill.incrementAndGet();
                                }
                            } catch (ClusterUnavailableException | DeadlineExceededException e) {
                                unknown.add(id); // outcome unknown: may or may not be there, at most once
                            } catch (Throwable e) {
                                unexpected.add(e);
                            }
                        }
                    }, "writer-" + t);
                    writers.add(th);
                    th.start();
                }

                Thread.sleep(1500);
                LOG.info("killing leader {} after {} acknowledged writes", leader, acked.size());
                cluster.stop(leader);
                killed.set(true);
                Thread.sleep(3000);
                cluster.restartStopped();
                Thread.sleep(1000);
                stop.set(true);
                for (Thread th : writers) {
                    th.join();
                }
                assertTrue(unexpected.isEmpty(), "unexpected failures: " + unexpected);
                assertTrue(ackedAfterKill.get() > 0, "writes went on after the leader died");

                Map<String, List<String>> found = new HashMap<>(); // id -> paths holding it
                for (String name : client.children("/load")) {
                    String path = "/load/" + name;
                    String id = client.get(path).dataAsString();
                    found.computeIfAbsent(id, k -> new ArrayList<>()).add(path);
                }
                for (Map.Entry<String, String> a : acked.entrySet()) {
                    assertEquals(List.of(a.getValue()), found.get(a.getKey()),
                            "acknowledged write " + a.getKey() + " is there exactly once");
                }
                for (Map.Entry<String, List<String>> f : found.entrySet()) {
                    assertEquals(1, f.getValue().size(), "write " + f.getKey() + " applied more than once: " + f);
                    assertTrue(acked.containsKey(f.getKey()) || unknown.contains(f.getKey()), "a write nobody made");
                }
                LOG.info("{} acknowledged ({} after the kill), {} with unknown outcome ({} of them applied), {} nodes",
                        acked.size(), ackedAfterKill.get(), unknown.size(),
                        unknown.stream().filter(found::containsKey).count(), found.size());

                int total = found.size();
                await().atMost(Duration.ofSeconds(10)).until(() -> watched.size() >= total);
                assertEquals(total, watched.size(), "the watch saw each create once across the leader's death");
                assertEquals(total, Set.copyOf(watched).size());
            }
        }
    }
}
