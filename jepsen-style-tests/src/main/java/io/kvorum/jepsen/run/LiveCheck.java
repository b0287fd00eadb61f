package io.kvorum.jepsen.run;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.jepsen.checker.CheckResult;
import io.kvorum.jepsen.checker.Checkers;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Pairing;
import io.kvorum.jepsen.history.Type;
import io.kvorum.jepsen.nemesis.RunClock;
import io.kvorum.jepsen.workload.RegisterWorkload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A self-check of a live cluster: a short register workload, without faults, in a namespace of
 * its own ({@code /kvorum-check-<uuid>}), checked for linearizability by the same checker as
 * the fault tests; then the namespace is deleted. For an operator after an upgrade or a
 * restore. Bounded: the workload runs {@code timeLimit}, the check at most {@code checkLimit}.
 */
public final class LiveCheck {
    /** What a check found: the checker's result, the latencies of completed operations, what was left. */
    public record Result(CheckResult check, long operations, long ok, long failed, long indeterminate,
                         double p50Millis, double p99Millis, double maxMillis, String namespace, boolean cleanedUp,
                         List<String> errors) {
    }

    private LiveCheck() {
    }

    public static Result run(List<String> endpoints, Duration timeLimit, int concurrency, Duration checkLimit,
                             long seed) throws Exception {
        String namespace = "/kvorum-check-" + UUID.randomUUID();
        RegisterWorkload workload = new RegisterWorkload(namespace, 3, Duration.ofMillis(20));
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        Recorder recorder = new Recorder(new RunClock());
        boolean cleaned;
        try (Clients clients = new Clients(endpoints)) {
            KvorumClient admin = clients.open();
            workload.setup(admin);
            RunContext ctx = new RunContext(recorder, clients, seed);
            List<Thread> threads = TestRun.startClients(workload, concurrency, ctx, errors);
            Thread.sleep(timeLimit.toMillis());
            ctx.stop();
            for (Thread t : threads) {
                t.join(Clients.DEADLINE.toMillis() * 2);
            }
            workload.finish(ctx);
            cleaned = deleteTree(admin, namespace, errors);
        }
        var events = recorder.events();
        CheckResult check = Checkers.check(workload.model(), events, checkLimit);
        List<Long> nanos = new ArrayList<>();
        long ok = 0;
        long failed = 0;
        long info = 0;
        List<Op> ops = Pairing.of(events, Set.of()).ops;
        for (Op op : ops) {
            if (op.outcome() == Type.OK) {
                ok++;
                nanos.add(op.returnTime() - op.callTime());
            } else if (op.outcome() == Type.FAIL) {
                failed++;
            } else {
                info++;
            }
        }
        Collections.sort(nanos);
        return new Result(check, ops.size(), ok, failed, info, percentile(nanos, 0.50), percentile(nanos, 0.99),
                nanos.isEmpty() ? 0 : nanos.get(nanos.size() - 1) / 1e6, namespace, cleaned, List.copyOf(errors));
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    /** Deletes {@code path} and everything under it; false (with the reason in errors) if something stayed. */
    private static boolean deleteTree(KvorumClient client, String path, List<String> errors) {
        try {
            for (String child : client.children(path)) {
                if (!deleteTree(client, path + "/" + child, errors)) {
                    return false;
                }
            }
            client.delete(path);
            return true;
        } catch (NoNodeException gone) {
            return true;
        } catch (RuntimeException e) {
            errors.add("cleanup of " + path + ": " + e);
            return false;
        }
    }
}
