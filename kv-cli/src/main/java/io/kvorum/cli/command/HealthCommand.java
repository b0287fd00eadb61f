package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.Errors;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.output.Table;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeStatus;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code kvorum health}: whether each endpoint is healthy, and whether the cluster is. An
 * endpoint is healthy when it answers, knows a leader, and has applied nearly all it committed.
 * The cluster is healthy when a linearizable read succeeds: that needs a leader confirmed by a
 * quorum, which is exactly what writes need too.
 */
@Command(name = "health", description = {"Checks each endpoint and the cluster; exit 6 if the cluster has no leader "
        + "or no quorum (exit 0 while it has, even with some endpoints down).",
        "An endpoint is healthy when it answers, knows a leader and has applied nearly all it committed.",
        "JSON: {healthy, endpoints: [{endpoint, healthy, tookMillis, leaderId, error}], cluster: {healthy, "
                + "tookMillis, error}}."})
public final class HealthCommand extends ClientCommand {
    /** Committed but not yet applied entries an endpoint may have and still count as healthy. */
    static final long MAX_APPLY_LAG = 1000;

    HealthCommand(Cli cli) {
        super(cli);
    }

    private record Verdict(boolean healthy, String why) {
    }

    @Override
    protected int run(KvorumClient client) {
        List<EndpointProbe.Result> results = EndpointProbe.probeAll(client);
        long t0 = System.nanoTime();
        String clusterError = null;
        try {
            // ReadIndex: the leader must confirm it still leads with a quorum before answering.
            client.exists("/", io.kvorum.client.RequestOptions.deadline(cli.options().timeout()));
        } catch (RuntimeException e) {
            clusterError = Errors.sentence(e);
        }
        long clusterMillis = (System.nanoTime() - t0) / 1_000_000;
        boolean healthy = clusterError == null;
        if (cli.json()) {
            JsonArray a = new JsonArray();
            for (EndpointProbe.Result r : results) {
                Verdict v = verdict(r);
                JsonObject o = new JsonObject();
                o.addProperty("endpoint", r.endpoint());
                o.addProperty("healthy", v.healthy());
                o.addProperty("tookMillis", r.tookMillis());
                o.addProperty("leaderId", r.answered() ? r.status().leaderId() : 0);
                o.addProperty("error", v.healthy() ? null : v.why());
                a.add(o);
            }
            JsonObject c = new JsonObject();
            c.addProperty("healthy", healthy);
            c.addProperty("tookMillis", clusterMillis);
            c.addProperty("error", clusterError);
            JsonObject o = new JsonObject();
            o.addProperty("healthy", healthy);
            o.add("endpoints", a);
            o.add("cluster", c);
            cli.printJson(o);
        } else {
            Table t = new Table("ENDPOINT", "HEALTH", "TOOK", "DETAIL");
            for (EndpointProbe.Result r : results) {
                Verdict v = verdict(r);
                t.row(r.endpoint(), v.healthy() ? "healthy" : "unhealthy", r.tookMillis() + " ms", v.why());
            }
            t.row("cluster", healthy ? "healthy" : "unhealthy", clusterMillis + " ms",
                    healthy ? "a leader with a quorum answered a linearizable read" : clusterError);
            t.lines().forEach(cli::println);
        }
        return healthy ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }

    private static Verdict verdict(EndpointProbe.Result r) {
        if (!r.answered()) {
            return new Verdict(false, r.why());
        }
        NodeStatus s = r.status();
        if (s.leaderId() == 0) {
            return new Verdict(false, "node " + s.id() + " knows no leader");
        }
        long lag = s.commitIndex() - s.appliedIndex();
        if (lag > MAX_APPLY_LAG) {
            return new Verdict(false, "node " + s.id() + " has " + lag + " committed entries not applied yet");
        }
        return new Verdict(true, "node " + s.id() + ", " + s.role() + ", leader " + s.leaderId());
    }
}
