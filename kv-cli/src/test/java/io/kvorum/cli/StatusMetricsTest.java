package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.admin.AdminServer;
import io.kvorum.server.testing.InJvmCluster;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kvorum status --admin}: the headline figures of every node, read from the same
 * /metrics an operator's Prometheus scrapes, while a writer keeps the leader busy.
 */
class StatusMetricsTest {
    private static final List<AdminServer> admins = new ArrayList<>();
    private static String adminList;

    @BeforeAll
    static void startAdminPorts() throws Exception {
        InJvmCluster cluster = SharedCluster.get();
        List<String> addresses = new ArrayList<>();
        for (long id : cluster.runningIds()) {
            InJvmCluster.Running r = cluster.node(id);
            AdminServer a = new AdminServer(new InetSocketAddress("127.0.0.1", 0), r.node(), r.metrics());
            a.start();
            admins.add(a);
            addresses.add("127.0.0.1:" + a.port());
        }
        adminList = String.join(",", addresses);
    }

    @AfterAll
    static void stopAdminPorts() {
        admins.forEach(AdminServer::close);
    }

    @Test
    void headlinesComeFromTheMetricsOfEveryNode() throws Exception {
        InJvmCluster cluster = SharedCluster.get();
        long leader = cluster.awaitLeader();
        cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/status-metrics").build());
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get() && i < 100_000; i++) {
                cluster.kv(leader).set(SetRequest.newBuilder().setPath("/status-metrics").setExpectedVersion(-1)
                        .setData(ByteString.copyFromUtf8("v" + i)).build());
            }
        }, "status-metrics-writer");
        writer.start();
        Run.Result text;
        Run.Result json;
        try {
            text = Run.kvorum("--endpoints", cluster.endpoints(), "status", "--admin", adminList, "--window", "2s");
            json = Run.kvorum("--endpoints", cluster.endpoints(), "status", "--admin", adminList, "--window", "2s",
                    "-o", "json");
        } finally {
            stop.set(true);
            writer.join(30_000);
        }
        assertEquals(ExitCodes.OK, text.exit(), text::toString);
        assertTrue(text.out().contains("FSYNC_P99"), text::toString);
        List<String> lines = text.lines();
        List<String> headlines = lines.subList(lines.indexOf(lines.stream().filter(l -> l.startsWith("ADMIN"))
                .findFirst().orElseThrow()) + 1, lines.size());
        assertEquals(1, headlines.stream().filter(l -> l.contains(" leader ")).count(), text::toString);
        assertEquals(2, headlines.stream().filter(l -> l.contains(" follower ")).count(), text::toString);

        assertEquals(ExitCodes.OK, json.exit(), json::toString);
        JsonArray metrics = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("metrics");
        assertEquals(3, metrics.size(), json::toString);
        int leaders = 0;
        for (JsonElement e : metrics) {
            JsonObject m = e.getAsJsonObject();
            assertTrue(m.get("error").isJsonNull(), json::toString);
            assertEquals(leader, m.get("leaderId").getAsLong(), json::toString);
            assertTrue(m.get("fsyncP99Seconds").getAsDouble() > 0, json::toString);
            if (m.get("id").getAsLong() == leader) {
                leaders++;
                assertEquals("leader", m.get("role").getAsString());
                assertTrue(m.get("requestsPerSecond").getAsDouble() > 0, "the writer's sets show: " + json);
                assertTrue(m.has("followerLag"), json::toString);
            }
        }
        assertEquals(1, leaders, json::toString);
    }

    @Test
    void anUnreachableAdminAddressIsNamedAndExitsUnavailable() {
        InJvmCluster cluster = SharedCluster.get();
        Run.Result r = Run.kvorum("--endpoints", cluster.endpoints(), "--timeout", "1s", "status", "--admin",
                "127.0.0.1:1", "--window", "100ms");
        assertEquals(ExitCodes.UNAVAILABLE, r.exit(), r::toString);
        assertTrue(r.out().contains("cannot read http://127.0.0.1:1/metrics"), r::toString);
    }
}
