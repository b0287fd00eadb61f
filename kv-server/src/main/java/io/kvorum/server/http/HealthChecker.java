package io.kvorum.server.http;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.api.ClientCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the catalog's HTTP and TCP checks, on the leader only: one node runs each check, with
 * no assignment to keep, and when the leader dies the next one finds every check in the tree
 * and takes them over within an interval (the status and since-when are in the tree, so a
 * deregister-after-critical deadline survives the change). Only a status change is written,
 * as a version-checked set of the instance's node (a re-registration meanwhile wins); an
 * instance critical for longer than its deregister-after is deleted, also version-checked.
 *
 * <p>Why the leader, not the node the instance registered through: the leader is known to
 * every node, changes only on failure, and needs no hand-over protocol; the price is that all
 * checks run from one node (fine for the hundreds of instances a coordination service lists).
 */
final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);
    static final Duration SCAN_EVERY = Duration.ofMillis(100);
    private static final long CALL_TIMEOUT_MILLIS = 5_000;

    private final ClientCalls calls;
    private final ScheduledExecutorService timer;
    private final ExecutorService probes;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    /** Instance path -> when its next check is due (nanoTime); only while this node leads. */
    private final Map<String, Long> due = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    HealthChecker(ClientCalls calls) {
        this.calls = calls;
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kvorum-checks"));
        this.probes = Executors.newCachedThreadPool(r -> daemon(r, "kvorum-check-" + n.incrementAndGet()));
        timer.scheduleWithFixedDelay(this::scanSafely, SCAN_EVERY.toMillis(), SCAN_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void scanSafely() {
        try {
            scan();
        } catch (RuntimeException e) {
            LOG.debug("catalog scan failed (retried next round): {}", e.toString());
        }
    }

    /** Finds the checks due now and starts them; nothing while this node does not lead. */
    private void scan() {
        if (!calls.leads()) {
            due.clear();
            return;
        }
        long now = System.nanoTime();
        Set<String> seen = new java.util.HashSet<>();
        for (String name : children(CatalogEntry.BASE)) {
            for (String id : children(CatalogEntry.servicePath(name))) {
                String path = CatalogEntry.instancePath(name, id);
                JsonObject entry = read(path);
                if (entry == null || !entry.has("check")) {
                    continue;
                }
                seen.add(path);
                JsonObject check = entry.getAsJsonObject("check");
                long interval = TimeUnit.MILLISECONDS.toNanos(check.get("intervalMillis").getAsLong());
                Long next = due.get(path);
                if ((next == null || now >= next) && running.add(path)) {
                    due.put(path, now + interval);
                    probes.execute(() -> {
                        try {
                            probe(path, check);
                        } finally {
                            running.remove(path);
                        }
                    });
                }
            }
        }
        due.keySet().retainAll(seen);
    }

    private void probe(String path, JsonObject check) {
        String type = check.get("type").getAsString();
        String target = check.get("target").getAsString();
        int timeout = (int) Math.min(Integer.MAX_VALUE, check.get("timeoutMillis").getAsLong());
        String failure = type.equals("http") ? httpCheck(target, timeout) : tcpCheck(target, timeout);
        recordStatus(path, failure == null ? "passing" : "critical", failure == null ? "" : failure);
    }

    /** Null when {@code url} answers 2xx within the timeout, else why not. */
    private String httpCheck(String url, int timeoutMillis) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMillis(timeoutMillis)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() / 100 == 2 ? null : "GET " + url + " answered " + r.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            return "GET " + url + " failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Null when {@code hostPort} accepts a connection within the timeout, else why not. */
    private static String tcpCheck(String hostPort, int timeoutMillis) {
        try (Socket s = new Socket()) {
            InetSocketAddress a = socketAddress(hostPort, "tcp check");
            s.connect(new InetSocketAddress(a.getHostString(), a.getPort()), timeoutMillis);
            return null;
        } catch (IOException | HttpProblem e) {
            return "connecting to " + hostPort + " failed: " + e.getMessage();
        }
    }

    /** {@code host:port} as an unresolved address (resolved when connecting); 400 naming {@code what} otherwise. */
    static InetSocketAddress socketAddress(String hostPort, String what) {
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0) {
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                if (port > 0 && port <= 65535) {
                    return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port);
                }
            } catch (NumberFormatException e) {
                // the error below
            }
        }
        throw HttpProblem.invalid(what + " must be host:port, got " + HttpCall.quote(hostPort));
    }

    /** Writes a status change (and deletes an instance critical past its deregister-after). */
    private void recordStatus(String path, String status, String output) {
        GetResponse current;
        try {
            current = calls.get(GetRequest.newBuilder().setPath(path).setConsistency(Consistency.SERIALIZABLE).build())
                    .get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception gone) {
            return; // deregistered meanwhile, or this node is shutting down
        }
        JsonObject entry = CatalogEntry.read(current.getData().toByteArray());
        if (entry == null || !entry.has("check")) {
            return;
        }
        long version = current.getStat().getVersion();
        long now = System.currentTimeMillis();
        try {
            if (!CatalogEntry.status(entry).equals(status)) {
                entry.addProperty("status", status);
                entry.addProperty("statusSinceMillis", now);
                entry.addProperty("output", output);
                calls.set(SetRequest.newBuilder().setPath(path).setExpectedVersion(version)
                        .setData(ByteString.copyFrom(Json.bytes(entry))).build())
                        .get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                LOG.info("catalog: {} is now {}{}", path, status, output.isEmpty() ? "" : " (" + output + ")");
                return;
            }
            long after = entry.getAsJsonObject("check").get("deregisterAfterMillis").getAsLong();
            long since = entry.has("statusSinceMillis") ? entry.get("statusSinceMillis").getAsLong() : now;
            if (status.equals("critical") && after > 0 && now - since >= after) {
                calls.delete(DeleteRequest.newBuilder().setPath(path).setExpectedVersion(version).build())
                        .get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                LOG.info("catalog: deregistered {}, critical for {} ms", path, now - since);
            }
        } catch (Exception e) {
            LOG.debug("catalog: recording {} for {} failed (checked again next interval): {}", status, path,
                    e.toString());
        }
    }

    private List<String> children(String path) {
        try {
            return calls.children(ChildrenRequest.newBuilder().setPath(path).setConsistency(Consistency.SERIALIZABLE)
                    .setPageSize(10_000).build()).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .getChildrenList().stream().map(Child::getName).toList();
        } catch (Exception none) {
            return List.of();
        }
    }

    private JsonObject read(String path) {
        try {
            return CatalogEntry.read(calls.get(GetRequest.newBuilder().setPath(path)
                    .setConsistency(Consistency.SERIALIZABLE).build()).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .getData().toByteArray());
        } catch (Exception gone) {
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        probes.shutdownNow();
    }
}
