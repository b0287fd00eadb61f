package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.DurationConverter;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.UsageError;
import io.kvorum.cli.output.Table;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeStatus;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kvorum status}: each endpoint's own view of the cluster, as a table. Exits 6 when
 * some endpoint did not answer (its row says why), so scripts notice a node down.
 */
@Command(name = "status", description = {"Shows each endpoint's id, role, leader, term, commit and applied index, "
        + "database size and version; exit 6 if some endpoint did not answer.",
        "With --admin, also each node's headline figures from its /metrics: leader, apply lag, the leader's largest "
                + "follower lag, fsync p99, requests/s and server errors/s over --window.",
        "Alarms (e.g. NOSPACE: over the space quota) follow the table, one line each.",
        "JSON: {endpoints: [{endpoint, id, role, leaderId, term, commitIndex, appliedIndex, dbSizeBytes, version, "
                + "revision, datacenter, zone, alarms, error}], metrics: [{admin, id, role, leaderId, applyLag, "
                + "followerLag, "
                + "fsyncP99Seconds, requestsPerSecond, errorsPerSecond, error}]}; error is null for an endpoint that "
                + "answered, else the other fields are absent; metrics only with --admin."})
public final class StatusCommand extends ClientCommand {
    @Option(names = "--admin", split = ",", paramLabel = "HOST:PORT",
            description = "Admin addresses (--admin-listen of the servers) to read /metrics from, comma-separated.")
    List<String> admin = List.of();

    @Option(names = "--window", defaultValue = "1s", converter = DurationConverter.class,
            description = "How long to watch the counters for rates (two scrapes this far apart). Default: "
                    + "${DEFAULT-VALUE}.")
    Duration window;

    StatusCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected void validate() {
        if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new UsageError("--window must be more than 0 and at most 1m, got " + window);
        }
    }

    @Override
    protected int run(KvorumClient client) throws InterruptedException {
        List<EndpointProbe.Result> results = EndpointProbe.probeAll(client);
        List<MetricsProbe.Result> metrics = admin.isEmpty() ? List.of()
                : MetricsProbe.probeAll(admin, window, cli.options().timeout(),
                        cli.adminHttp(cli.options().timeout()), cli.adminScheme());
        java.util.Map<String, List<String>> alarms = new java.util.LinkedHashMap<>();
        for (EndpointProbe.Result r : results) {
            if (r.answered()) {
                alarms.put(r.endpoint(), alarmsOf(r.endpoint()));
            }
        }
        if (cli.json()) {
            JsonArray a = new JsonArray();
            for (EndpointProbe.Result r : results) {
                JsonObject o = new JsonObject();
                o.addProperty("endpoint", r.endpoint());
                if (r.answered()) {
                    NodeStatus s = r.status();
                    o.addProperty("id", s.id());
                    o.addProperty("role", s.role().toString());
                    o.addProperty("leaderId", s.leaderId());
                    o.addProperty("term", s.term());
                    o.addProperty("commitIndex", s.commitIndex());
                    o.addProperty("appliedIndex", s.appliedIndex());
                    o.addProperty("dbSizeBytes", s.dbSizeBytes());
                    o.addProperty("version", s.version());
                    o.addProperty("revision", s.revision());
                    o.addProperty("datacenter", s.datacenter());
                    o.addProperty("zone", s.zone());
                    JsonArray al = new JsonArray();
                    alarms.getOrDefault(r.endpoint(), List.of()).forEach(al::add);
                    o.add("alarms", al);
                }
                o.addProperty("error", r.answered() ? null : r.why());
                a.add(o);
            }
            JsonObject o = new JsonObject();
            o.add("endpoints", a);
            if (!admin.isEmpty()) {
                o.add("metrics", MetricsProbe.json(metrics));
            }
            cli.printJson(o);
        } else {
            Table t = new Table("ENDPOINT", "ID", "ROLE", "DATACENTER", "LEADER", "TERM", "COMMIT", "APPLIED",
                    "DB_SIZE", "VERSION");
            for (EndpointProbe.Result r : results) {
                NodeStatus s = r.status();
                if (s == null) {
                    t.row(r.endpoint(), "-", "unreachable", "-", "-", "-", "-", "-", "-", "-");
                } else {
                    t.row(r.endpoint(), s.id(), s.role(), s.datacenter().isEmpty() ? "-" : s.datacenter(),
                            s.leaderId() == 0 ? "none" : s.leaderId(), s.term(), s.commitIndex(), s.appliedIndex(),
                            bytes(s.dbSizeBytes()), s.version());
                }
            }
            t.lines().forEach(cli::println);
            for (EndpointProbe.Result r : results) {
                if (!r.answered()) {
                    cli.println(r.endpoint() + ": " + r.why());
                }
            }
            if (!admin.isEmpty()) {
                cli.println("");
                MetricsProbe.table(metrics, window).forEach(cli::println);
            }
            alarms.forEach((endpoint, raised) -> raised.forEach(a -> cli.println(endpoint + ": ALARM " + a)));
        }
        boolean all = results.stream().allMatch(EndpointProbe.Result::answered)
                && metrics.stream().allMatch(MetricsProbe.Result::answered);
        return all ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }

    /** The endpoint's raised alarms; empty when it has none or does not say. */
    private List<String> alarmsOf(String endpoint) {
        io.grpc.ManagedChannel channel = cli.channel(endpoint);
        try {
            return io.kvorum.proto.v1.MaintenanceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(cli.options().timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .alarms(io.kvorum.proto.v1.AlarmsRequest.getDefaultInstance()).getAlarmsList();
        } catch (io.grpc.StatusRuntimeException e) {
            return List.of();
        } finally {
            channel.shutdownNow();
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String units = "KMGT";
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %siB", v, units.charAt(u));
    }
}
