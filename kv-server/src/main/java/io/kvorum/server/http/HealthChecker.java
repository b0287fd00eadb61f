package io.kvorum.server.http;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ErrorReason;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the catalog's check statuses, on the leader only: runs the HTTP and TCP checks, marks a
 * TTL check critical once its session has expired, and deregisters an instance one of whose
 * checks has been critical longer than its deregister-after. One node does this, with no
 * assignment to keep: when the leader dies the next one finds every check in the tree and takes
 * them over within an interval (statuses and since-when are in the tree, so a deregister-after
 * deadline survives the change). Only a change is written, as a version-checked set of the
 * instance's node, read again and retried when something else wrote it meanwhile (a report, a
 * probe of another check); a deregistration is a version-checked delete.
 *
 * <p>Why the leader, not the node the instance registered through: the leader is known to
 * every node, changes only on failure, needs no hand-over protocol, and is where sessions
 * expire, so its state tells a TTL check's fate first; the price is that all checks run from
 * one node (fine for the hundreds of instances a coordination service lists).
 *
 * <p>Every node runs one, whether or not it serves the HTTP API: checks registered through the
 * Java client or the CLI are the cluster's duty too, and the HTTP port is optional.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);
    static final Duration SCAN_EVERY = Duration.ofMillis(100);
    /** Longest wait between two probes of a check, whatever interval it names. */
    static final Duration MAX_INTERVAL = Duration.ofDays(365);
    private static final long CALL_TIMEOUT_MILLIS = 5_000;
    /** Writes of one change retried this often when other writes to the entry keep winning. */
    private static final int WRITE_ATTEMPTS = 5;

    private final ClientCalls calls;
    private final ScheduledExecutorService timer;
    private final ExecutorService probes;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    /** Check key (instance path + '#' + check id) -> when its next probe is due (nanoTime); only while leading. */
    private final Map<String, Long> due = new ConcurrentHashMap<>();
    /** Check keys (and instance paths, for deregistration) with work in flight: one at a time each. */
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /**
     * Starts keeping the catalog's checks through this node's client calls (as the cluster's
     * own duty, past any caller's rights); it acts only while this node leads.
     */
    public static HealthChecker start(ClientCalls calls) {
        return new HealthChecker(calls.trusted());
    }

    private HealthChecker(ClientCalls calls) {
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

    /** Finds the work due now and starts it; nothing while this node does not lead. */
    private void scan() {
        if (!calls.leads()) {
            due.clear();
            return;
        }
        long now = System.nanoTime();
        long wallNow = System.currentTimeMillis();
        Set<String> seen = new HashSet<>();
        for (String name : children(CatalogEntry.BASE)) {
            for (String id : children(CatalogEntry.servicePath(name))) {
                String path = CatalogEntry.instancePath(name, id);
                try {
                    scanInstance(path, now, wallNow, seen);
                } catch (RuntimeException malformed) {
                    // A hand-written entry with a broken check: skip it, not every other check.
                    LOG.debug("catalog: skipping {}: {}", path, malformed.toString());
                }
            }
        }
        due.keySet().retainAll(seen);
    }

    private void scanInstance(String path, long now, long wallNow, Set<String> seen) {
        JsonObject entry = read(path);
        if (entry == null) {
            return;
        }
        for (JsonObject check : CatalogEntry.checks(entry)) {
            String key = path + "#" + check.get("id").getAsString();
            seen.add(key);
            if (CatalogEntry.type(check).equals("ttl")) {
                expireTtl(path, key, check);
                continue;
            }
            // At most a year: nanoTime plus a longer interval (up to 999999999h is accepted) could
            // overflow into the past, and the check would be probed at every scan.
            long interval = TimeUnit.MILLISECONDS.toNanos(Math.min(check.get("intervalMillis").getAsLong(),
                    MAX_INTERVAL.toMillis()));
            Long next = due.get(key);
            if ((next == null || now >= next) && start(key, () -> probe(path, check))) {
                due.put(key, now + interval);
            }
        }
        if (criticalTooLong(entry, wallNow)) {
            start(path, () -> deregister(path, wallNow));
        }
    }

    /** Runs {@code work} unless work on {@code key} is still running; whether it started. */
    private boolean start(String key, Runnable work) {
        if (!running.add(key)) {
            return false;
        }
        try {
            probes.execute(() -> {
                try {
                    work.run();
                } finally {
                    running.remove(key);
                }
            });
            return true;
        } catch (RuntimeException shuttingDown) {
            running.remove(key);
            return false;
        }
    }

    /** A TTL check whose session is gone turns critical (once: a critical one is left alone). */
    private void expireTtl(String path, String key, JsonObject check) {
        long session = CatalogEntry.session(check);
        if (CatalogEntry.checkStatus(check).equals(CatalogEntry.CRITICAL) || calls.sessionLives(session)) {
            return;
        }
        String checkId = check.get("id").getAsString();
        String output = session == 0 ? "no report yet" : "TTL of " + check.get("ttlMillis").getAsLong()
                + " ms expired: no report in time";
        // Only while the entry still names that session: a report meanwhile opened a new one.
        start(key, () -> recordStatus(path, checkId, CatalogEntry.CRITICAL, output,
                c -> CatalogEntry.session(c) == session));
    }

    private static boolean criticalTooLong(JsonObject entry, long wallNow) {
        for (JsonObject c : CatalogEntry.checks(entry)) {
            long after = c.has("deregisterAfterMillis") ? c.get("deregisterAfterMillis").getAsLong() : 0;
            long since = c.has("statusSinceMillis") ? c.get("statusSinceMillis").getAsLong() : wallNow;
            if (after > 0 && CatalogEntry.checkStatus(c).equals(CatalogEntry.CRITICAL) && wallNow - since >= after) {
                return true;
            }
        }
        return false;
    }

    private void probe(String path, JsonObject check) {
        String type = CatalogEntry.type(check);
        String target = check.get("target").getAsString();
        int timeout = (int) Math.min(Integer.MAX_VALUE, check.get("timeoutMillis").getAsLong());
        String failure = type.equals("http") ? httpCheck(target, timeout) : tcpCheck(target, timeout);
        if (Thread.currentThread().isInterrupted()) {
            return; // stopping: the probe was cut short, which says nothing about the service
        }
        // Only while the check still probes that target: a re-registration may have changed it.
        recordStatus(path, check.get("id").getAsString(), failure == null ? CatalogEntry.PASSING : CatalogEntry.CRITICAL,
                failure == null ? "" : failure, c -> c.has("target") && c.get("target").getAsString().equals(target));
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

    /**
     * Writes a check's new status (with its output) when it changed and {@code stillApplies} to
     * the check as stored now; a write that lost to another is read and tried again. A new output
     * with the same status is not written (only status changes go to the log), except the first
     * result of a check, which replaces "not checked yet".
     */
    private void recordStatus(String path, String checkId, String status, String output,
                              Predicate<JsonObject> stillApplies) {
        for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
            GetResponse current;
            try {
                current = calls.get(GetRequest.newBuilder().setPath(path).setConsistency(Consistency.SERIALIZABLE)
                        .build()).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception gone) {
                return; // deregistered meanwhile, or this node is shutting down
            }
            JsonObject entry = CatalogEntry.read(current.getData().toByteArray());
            JsonObject check = entry == null ? null : CatalogEntry.check(entry, checkId);
            if (check == null || !stillApplies.test(check) || sameStatus(check, status)
                    || !CatalogEntry.record(entry, check, status, output, System.currentTimeMillis())) {
                return;
            }
            try {
                calls.set(SetRequest.newBuilder().setPath(path).setExpectedVersion(current.getStat().getVersion())
                        .setData(ByteString.copyFrom(Json.bytes(entry))).build())
                        .get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                LOG.info("catalog: {} check {} is now {}{}", path, checkId, status,
                        output.isEmpty() ? "" : " (" + output + ")");
                return;
            } catch (ExecutionException e) {
                if (calls.describe(e.getCause()).reason() != ErrorReason.BAD_VERSION) {
                    LOG.debug("catalog: recording {} for {} failed (checked again later): {}", status, path,
                            e.getCause().toString());
                    return;
                }
            } catch (Exception e) {
                LOG.debug("catalog: recording {} for {} failed (checked again later): {}", status, path, e.toString());
                return;
            }
        }
    }

    /** Whether {@code status} is the check's already, and it was checked before (its first result is always written). */
    private static boolean sameStatus(JsonObject check, String status) {
        return CatalogEntry.checkStatus(check).equals(status) && !(check.has("output")
                && check.get("output").getAsString().equals(CatalogEntry.NOT_CHECKED));
    }

    /** Deletes an instance one of whose checks is still critical past its deregister-after (version-checked). */
    private void deregister(String path, long wallNow) {
        try {
            GetResponse current = calls.get(GetRequest.newBuilder().setPath(path)
                    .setConsistency(Consistency.SERIALIZABLE).build()).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            JsonObject entry = CatalogEntry.read(current.getData().toByteArray());
            if (entry == null || !criticalTooLong(entry, wallNow)) {
                return;
            }
            calls.delete(DeleteRequest.newBuilder().setPath(path).setExpectedVersion(current.getStat().getVersion())
                    .build()).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            LOG.info("catalog: deregistered {}: a check was critical past its deregister-after", path);
        } catch (Exception e) {
            LOG.debug("catalog: deregistering {} failed (tried again next round): {}", path, e.toString());
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
