package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.RegisterOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Per-key linearizability of a register history. Keys are independent registers, so a history
 * is linearizable exactly when each key's operations are (linearizability is local: Herlihy &amp;
 * Wing), and each key is searched on its own, in parallel on a fixed pool. Each search stops at
 * the shared deadline and says unknown rather than hang the run.
 */
public final class RegisterChecker {
    /** Bounds memory (a configuration costs ~100 bytes, and a pool thread per core searches at once
     * in bin/kvorum-jepsen's 1 GB heap): a key needing more than this is reported unknown. */
    static final long MAX_CONFIGURATIONS = 2_000_000;

    private final Duration timeLimit;
    private final int threads;

    public RegisterChecker(Duration timeLimit, int threads) {
        this.timeLimit = timeLimit;
        this.threads = Math.max(1, threads);
    }

    public RegisterChecker(Duration timeLimit) {
        this(timeLimit, Runtime.getRuntime().availableProcessors());
    }

    public CheckResult check(List<RegisterOp> history) {
        long started = System.nanoTime();
        long deadline = started + timeLimit.toNanos();
        Map<String, List<RegisterOp>> byKey = new TreeMap<>();
        for (RegisterOp op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        List<KeyResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, byKey.size())), r -> {
            Thread t = new Thread(r, "linearizability-search");
            t.setDaemon(true); // a search that ignores its deadline must not keep the JVM alive
            return t;
        });
        try {
            Map<String, Future<KeyResult>> futures = new LinkedHashMap<>();
            for (Map.Entry<String, List<RegisterOp>> e : byKey.entrySet()) {
                futures.put(e.getKey(), pool.submit(() -> new LinearizabilitySearch(e.getKey(), e.getValue(), deadline,
                        MAX_CONFIGURATIONS).run()));
            }
            for (Map.Entry<String, Future<KeyResult>> f : futures.entrySet()) {
                results.add(await(f.getKey(), byKey.get(f.getKey()).size(), f.getValue(), deadline));
            }
        } finally {
            pool.shutdownNow();
        }
        return summarize(history.size(), results, System.nanoTime() - started);
    }

    /** Searches check their own deadline; this grace only guards against one that cannot. */
    private static KeyResult await(String key, int ops, Future<KeyResult> f, long deadline) {
        long wait = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(5);
        try {
            return f.get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return KeyResult.unknown(key, ops, 0, 0, 0, "search did not stop at its deadline");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KeyResult.unknown(key, ops, 0, 0, 0, "interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof OutOfMemoryError) {
                return KeyResult.unknown(key, ops, 0, 0, 0, "out of memory");
            }
            throw new IllegalStateException("search of key " + key + " failed", cause);
        }
    }

    private static CheckResult summarize(int ops, List<KeyResult> results, long nanos) {
        Verdict verdict = Verdict.VALID;
        List<String> bad = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<Object> perKey = new ArrayList<>();
        StringBuilder summary = new StringBuilder();
        for (KeyResult r : results) {
            verdict = verdict.and(r.verdict());
            perKey.add(r.toMap());
            if (r.verdict() == Verdict.INVALID) {
                bad.add(r.key());
                summary.append(windowText(r.window()));
            } else if (r.verdict() == Verdict.UNKNOWN) {
                unknown.add(r.key());
            }
        }
        String head = switch (verdict) {
            case VALID -> "linearizable: " + ops + " operations on " + results.size() + " keys";
            case INVALID -> "not linearizable: key(s) " + bad + (unknown.isEmpty() ? "" : "; unknown: " + unknown);
            case UNKNOWN -> "unknown: the search did not finish for key(s) " + unknown;
        };
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("model", "register");
        details.put("ops", (long) ops);
        details.put("keys", (long) results.size());
        details.put("millis", nanos / 1_000_000);
        details.put("nonLinearizableKeys", bad);
        details.put("unknownKeys", unknown);
        details.put("perKey", perKey);
        return new CheckResult("register", verdict, head + "\n" + summary, details);
    }

    /** The window as a person reads it. */
    static String windowText(Map<String, Object> w) {
        StringBuilder b = new StringBuilder();
        b.append("key ").append(w.get("key")).append(": ").append(w.get("linearizedPrefixLength"))
                .append(" operations linearized, then stuck.\n");
        b.append("  register held ").append(w.get("valueBeforeWindow")).append(" before the window; linearized in it:\n");
        for (Object op : (List<?>) w.get("linearizedInWindow")) {
            b.append("    ").append(op).append('\n');
        }
        b.append("  then, with the register at ").append(w.get("valueAtStuckPoint"))
                .append(", none of these could be placed:\n");
        for (Object op : (List<?>) w.get("pendingOps")) {
            b.append("    ").append(op).append('\n');
        }
        b.append("  and this one had to be: ").append(w.get("couldNotLinearize")).append('\n');
        return b.toString();
    }
}
