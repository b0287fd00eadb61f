package io.kvorum.cli.command;

import io.kvorum.cli.Errors;
import io.kvorum.client.ClusterUnavailableException;
import io.kvorum.client.DeadlineExceededException;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks every configured endpoint for its own status at once (each pinned to its node, never
 * retried elsewhere), so one dead node costs one deadline, not one per node.
 */
final class EndpointProbe {
    /** One endpoint's answer: its status, or why there is none. */
    record Result(String endpoint, NodeStatus status, Throwable error, long tookMillis) {
        boolean answered() {
            return status != null;
        }

        /**
         * Why there is no status, briefly: for a node that cannot be reached, the transport's
         * own reason (e.g. "Connection refused") rather than the client's retry summary.
         */
        String why() {
            if (error instanceof ClusterUnavailableException || error instanceof DeadlineExceededException) {
                Throwable root = error;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                String m = root == error ? null : root.getMessage();
                return "no answer within " + tookMillis + " ms" + (m == null || m.isBlank() ? "" : " (" + m + ")");
            }
            return Errors.sentence(error);
        }
    }

    private EndpointProbe() {
    }

    static List<Result> probeAll(KvorumClient client) {
        List<CompletableFuture<Result>> pending = new ArrayList<>();
        for (String endpoint : client.endpoints()) {
            long t0 = System.nanoTime();
            pending.add(client.cluster().statusAsync(endpoint).handle((s, e) -> new Result(endpoint, s,
                    e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e,
                    (System.nanoTime() - t0) / 1_000_000)));
        }
        List<Result> out = new ArrayList<>(pending.size());
        for (CompletableFuture<Result> f : pending) {
            out.add(f.join());
        }
        return out;
    }
}
