package io.kvorum.cli;

import com.google.gson.JsonElement;
import io.kvorum.cli.output.Json;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import io.kvorum.client.ReadConsistency;
import io.kvorum.client.RequestOptions;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a running command needs from its surroundings: the standard streams, the environment,
 * the stop signal, the global options, and a way to connect. The launcher passes the real
 * ones; tests pass captured streams, their own environment and a stop signal they raise.
 */
public final class Cli {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;
    private final StopSignal stop;
    private final boolean console;
    private final GlobalOptions options = new GlobalOptions();

    /**
     * @param console whether the streams are the process's own: child processes ({@code lock})
     *                then inherit them directly (a terminal stays a terminal) instead of being piped
     */
    public Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, StopSignal stop,
               boolean console) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = Map.copyOf(env);
        this.stop = stop;
        this.console = console;
    }

    /** The process's own streams and environment. */
    public static Cli system(StopSignal stop) {
        return new Cli(new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8), new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err),
                true, StandardCharsets.UTF_8), System.in, System.getenv(), stop, true);
    }

    public GlobalOptions options() {
        return options;
    }

    /** Standard output: text lines, JSON lines, and raw node data. */
    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public PrintWriter outWriter() {
        return new PrintWriter(out, true, StandardCharsets.UTF_8);
    }

    public PrintWriter errWriter() {
        return new PrintWriter(err, true, StandardCharsets.UTF_8);
    }

    public InputStream in() {
        return in;
    }

    public Map<String, String> env() {
        return env;
    }

    public StopSignal stop() {
        return stop;
    }

    public boolean console() {
        return console;
    }

    public boolean json() {
        return options.json();
    }

    /** Prints one line of text and flushes, so pipes see it at once. */
    public void println(String line) {
        out.println(line);
        out.flush();
    }

    /** Prints one JSON value on one line and flushes. */
    public void printJson(JsonElement json) {
        out.println(Json.GSON.toJson(json));
        out.flush();
    }

    /** Tells the user something that is not a result (progress, hints), on stderr. */
    public void note(String line) {
        err.println(line);
        err.flush();
    }

    public List<String> endpoints() {
        return options.endpoints(env);
    }

    /** Options for reads: the chosen consistency and the call deadline. */
    public RequestOptions readOptions() {
        RequestOptions o = RequestOptions.deadline(options.timeout());
        return options.consistency() == ReadConsistency.SERIALIZABLE
                ? o.withConsistency(ReadConsistency.SERIALIZABLE) : o;
    }

    /** Options for writes: the call deadline. */
    public RequestOptions writeOptions() {
        return RequestOptions.deadline(options.timeout());
    }

    /**
     * A plain gRPC channel to one endpoint, for the maintenance calls the client library does
     * not wrap (snapshot streaming, storage compaction, alarms). Same transport and credentials
     * as {@link #connect()}'s (TLS with {@code --cacert}, a token with {@code --user}); the
     * caller shuts it down.
     */
    public io.grpc.ManagedChannel channel(String endpoint) {
        KvorumClientBuilder b = KvorumClient.builder();
        Security.apply(options, env, b);
        return b.channelTo(endpoint);
    }

    /** The admin ports' URL scheme: https with {@code --cacert} (a TLS cluster's admin port is HTTPS only). */
    public String adminScheme() {
        return options.cacert != null ? "https" : "http";
    }

    /** An HTTP client for the admin ports, trusting {@code --cacert}'s CA when given. */
    public java.net.http.HttpClient adminHttp(Duration connectTimeout) {
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (options.cacert != null) {
            b.sslContext(Security.trusting(options.cacert));
        }
        return b.build();
    }

    /**
     * A client for a command that makes a few calls and exits, with the chosen endpoints and
     * deadline. Connects lazily. It neither batches nor asks for the member list: a command's
     * start-up is most of its time, and a Batch stream (a class for every item kind) or a second
     * connection for members it never uses would only add to it. A write reaches the leader
     * through the node it is sent to.
     */
    public KvorumClient connect() {
        return connect(null, false, true, false);
    }

    /**
     * A client for a command that holds a session until stopped (ephemeral nodes, locks,
     * elections); {@code sessionTtl} null: the default. It follows the cluster's members and
     * leader, as an application's client does, since it may outlive a leader.
     */
    public KvorumClient connect(Duration sessionTtl) {
        return connect(sessionTtl, false, true, true);
    }

    /** A client for a command that runs until stopped without a session of its own (watch). */
    public KvorumClient connectUntilStopped() {
        return connect(null, false, true, true);
    }

    /**
     * A client for a benchmark, batching point calls or not (see KvorumClientBuilder#batching),
     * on gRPC's shared event loop as an application's client runs.
     */
    public KvorumClient connectForBench(boolean batching) {
        return connect(null, batching, false, true);
    }

    /**
     * @param ownEventLoop whether the client's connections run on its own event loop, stopped when
     *                     it closes, so that the command's JVM exits at once (see
     *                     KvorumClientBuilder#ownEventLoop)
     * @param memberDiscovery whether the client follows the cluster's members and leader (see
     *                        KvorumClientBuilder#memberDiscovery)
     */
    private KvorumClient connect(Duration sessionTtl, boolean batching, boolean ownEventLoop,
                                 boolean memberDiscovery) {
        Duration timeout = options.timeout();
        try {
            KvorumClientBuilder b = KvorumClient.builder().endpoints(endpoints().toArray(String[]::new))
                    .defaultDeadline(timeout)
                    // One attempt must not eat a short deadline: leave room to try another node.
                    .attemptTimeout(timeout.compareTo(Duration.ofSeconds(2)) < 0 ? timeout : Duration.ofSeconds(2))
                    .batching(batching)
                    .ownEventLoop(ownEventLoop)
                    .memberDiscovery(memberDiscovery);
            if (sessionTtl != null) {
                b.sessionTtl(sessionTtl);
            }
            if (options.localDatacenter() != null) {
                // Preferring the local datacenter needs each member's datacenter: the member list.
                b.localDatacenter(options.localDatacenter()).memberDiscovery(true);
            }
            Security.apply(options, env, b);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageError("bad --endpoints: " + e.getMessage(), e);
        }
    }
}
