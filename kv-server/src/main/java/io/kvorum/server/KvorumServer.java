package io.kvorum.server;

import io.kvorum.server.admin.AdminServer;
import io.kvorum.server.admin.MemberLabels;
import io.kvorum.server.api.ApiOptions;
import io.kvorum.server.api.PageSizes;
import io.kvorum.server.api.BackupScheduler;
import io.kvorum.server.api.ClientSecurity;
import io.kvorum.server.api.ClientServerParts;
import io.kvorum.server.api.Placement;
import io.kvorum.server.api.SpaceQuota;
import io.kvorum.server.api.ClientServer;
import io.kvorum.server.api.ServedNode;
import io.kvorum.server.api.WatchHub;
import io.kvorum.server.http.CredentialsAccess;
import io.kvorum.server.http.HealthChecker;
import io.kvorum.server.http.HttpApiServer;
import io.kvorum.server.metrics.KvorumMetrics;
import io.kvorum.server.node.LocalStorage;
import io.kvorum.server.node.NodeConfig;
import io.kvorum.server.node.NodeMetrics;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import io.kvorum.server.state.StateLimits;
import io.kvorum.server.storage.StorageException;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsConfigException;
import io.kvorum.server.tls.TlsFiles;
import io.kvorum.server.tls.TlsReloader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kvorum-server}: runs one Kvorum node until SIGTERM/SIGINT; on SIGTERM a leader first
 * hands leadership to the most up-to-date other voter ({@link LeaderHandOff}).
 * {@code kvorum-server restore ...} builds a data dir from a backup ({@link RestoreCommand}).
 * Exit codes: 0 after a clean stop, 2 for bad flags or unusable TLS files, 3 when the data dir
 * is refused (corrupt, another cluster or
 * node), 1 for anything else.
 */
@Command(name = "kvorum-server", mixinStandardHelpOptions = true, version = "kvorum-server 0.1.0",
        description = "Runs one node of a Kvorum cluster.")
public final class KvorumServer implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(KvorumServer.class);

    @Mixin
    ServerOptions options = new ServerOptions();

    /** Seconds a DNS answer is cached unless the operator set the JVM's own policy. */
    static final String DNS_CACHE_SECONDS = "5";

    public static void main(String[] args) {
        capDnsCache();
        if (args.length > 0 && args[0].equals("restore")) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            System.exit(new CommandLine(new RestoreCommand(System.out, System.err)).execute(rest));
        }
        CommandLine cli = new CommandLine(new KvorumServer());
        Path config = configFileOf(args);
        if (config != null) {
            cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(config.toFile()));
        }
        System.exit(cli.execute(args));
    }

    /**
     * Peers may be named by DNS and come back elsewhere (a rescheduled pod): the transport looks
     * a name up again when a connection fails, which only helps if the JVM does not answer from
     * its address cache, 30 s by default. Capped here, before the first lookup (the JVM reads
     * the policy once), unless set by {@code -Dsun.net.inetaddr.ttl} or {@code java.security}.
     */
    private static void capDnsCache() {
        if (Security.getProperty("networkaddress.cache.ttl") == null
                && System.getProperty("sun.net.inetaddr.ttl") == null) {
            Security.setProperty("networkaddress.cache.ttl", DNS_CACHE_SECONDS);
        }
    }

    private static Path configFileOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    @Override
    public Integer call() throws Exception {
        NodeConfig plainCfg;
        NodeConfig cfg;
        InetSocketAddress clientListen;
        InetSocketAddress httpListen = null;
        StateLimits limits;
        PageSizes pageSizes;
        LogFormat logFormat;
        Placement placement;
        ReloadingTls clientTls;
        ReloadingTls peerTls;
        ClientSecurity security;
        try {
            placement = options.placement();
            logFormat = LogFormat.parse(options.logFormat);
            plainCfg = NodeConfig.of(options.id, options.clusterId, options.dataDirOrDefault(),
                    ServerOptions.parseAddress(options.peerListen, "--peer-listen"),
                    options.initialClusterOrSelf(), options.join, options.heartbeatMillis, options.electionMillis,
                    options.snapshotEntries);
            clientListen = ServerOptions.parseAddress(options.clientListen, "--client-listen");
            if (options.httpListen != null && !options.httpListen.isBlank()) {
                httpListen = ServerOptions.parseAddress(options.httpListen, "--http-listen");
            }
            limits = options.limits();
            pageSizes = options.pageSizes();
            if (options.backupDir != null) {
                options.backupIntervalDuration();
            }
            TlsFiles clientFiles = options.clientTls();
            TlsFiles peerFiles = options.peerTls();
            clientTls = clientFiles == null ? null : ReloadingTls.load(clientFiles, "client and admin ports");
            peerTls = peerFiles == null ? null : peerFiles.equals(clientFiles) ? clientTls
                    : ReloadingTls.load(peerFiles, "peer port");
            cfg = plainCfg.withTransport(plainCfg.transport().toBuilder().tls(peerTls).build());
            security = new ClientSecurity(clientTls, options.clientCertAuth,
                    Duration.ofSeconds(options.authTokenTtlSeconds), options.authPasswordIterations,
                    options.authBreakGlass);
        } catch (IllegalArgumentException e) {
            System.err.println("kvorum-server: " + e.getMessage());
            return 2;
        } catch (TlsConfigException e) {
            LOG.error("refusing to start: {}", e.getMessage());
            System.err.println("kvorum-server: TLS: " + e.getMessage());
            return 2;
        }
        logFormat.apply(cfg.nodeId());
        LOG.info("starting node {} of cluster {}: data dir {}, client {}, peer {}, admin {}, initial cluster {}, "
                        + "join {}, heartbeat {} ms, election {} ms, tick {} ms, snapshot every {} entries",
                cfg.nodeId(), cfg.clusterId(), cfg.dataDir().toAbsolutePath(), options.clientListen,
                options.peerListen, options.adminListen, cfg.initialCluster(), cfg.join(), options.heartbeatMillis,
                options.electionMillis, cfg.tickMillis(), cfg.snapshotEntries());
        LOG.info("placement: datacenter '{}', zone '{}', leader preference {}", placement.datacenter(),
                placement.zone(), placement.leaderPreference());
        KvorumMetrics metrics = new KvorumMetrics(options.metricEvents);
        LOG.info("limits: path {} B, value {} B, request {} B, {} ops per multi, {} revisions of watch history, "
                        + "session TTL {}..{} ms, quota {} B{}, pages of {} children (at most {})",
                limits.maxPathBytes(), limits.maxValueBytes(), limits.maxRequestBytes(), limits.maxMultiOps(),
                limits.historyRevisions(), limits.minSessionTtlMillis(), limits.maxSessionTtlMillis(),
                options.quotaBytes, options.quotaBytes == 0 ? " (none)" : "", pageSizes.defaultSize(),
                pageSizes.maxSize());
        if (options.forceNewCluster) {
            try {
                ForceNewCluster.apply(cfg.dataDir().resolve("db"), cfg.clusterId(), cfg.nodeId());
            } catch (StorageException e) {
                System.err.println("kvorum-server: --force-new-cluster refused: " + e.getMessage());
                return 3;
            }
        }
        ServedNode started;
        try {
            started = startNode(cfg, metrics.node(), limits);
        } catch (StorageException e) {
            LOG.error("refusing to start: {}", e.getMessage());
            System.err.println("kvorum-server: refusing to start: " + e.getMessage());
            return 3;
        }
        RaftNode node = started.node();
        CoordinationState state = started.state();
        node.transportStats().onHeartbeatRtt(new ElectionTimingCheck(options.electionMillis, LOG::warn));
        AdminServer admin;
        ClientServer clients;
        SpaceQuota quota;
        BackupScheduler backups = null;
        try {
            quota = SpaceQuota.ofState(options.quotaBytes, LocalStorage.of(node));
            admin = new AdminServer(ServerOptions.parseAddress(options.adminListen, "--admin-listen"), node, metrics,
                    quota::alarms, limitsJson(limits, options.quotaBytes, pageSizes), () -> labelsOf(state),
                    clientTls == null ? null : clientTls.jdkContext());
            admin.start();
        } catch (IOException e) {
            node.close();
            throw e;
        }
        try {
            clients = new ClientServer(clientListen, options.clientAdvertise, started,
                    ApiOptions.defaults().withPageSizes(pageSizes), ClientServerParts.defaults()
                            .withMetrics(metrics.clients()).withQuota(quota).withSecurity(security)
                            .withPlacement(placement));
            metrics.bind(node, clients, state);
        } catch (IOException | RuntimeException e) {
            admin.close();
            node.close();
            throw e;
        }
        HttpApiServer http = null;
        if (httpListen != null) {
            try {
                // TLS as on every port; the same users, tokens and roles as the client port.
                http = new HttpApiServer(httpListen, clients.calls(),
                        new CredentialsAccess(clients.callerAccess()), clientTls == null ? null
                        : HttpApiServer.https(clientTls.jdkContext(), options.clientCertAuth),
                        HttpApiServer.DEFAULT_MAX_WAITING);
            } catch (IOException | RuntimeException e) {
                clients.close();
                admin.close();
                node.close();
                throw e;
            }
        }
        HttpApiServer httpApi = http;
        // The catalog's HTTP and TCP checks run on the leader, with or without the HTTP port.
        HealthChecker checks = HealthChecker.start(clients.calls());
        if (options.backupDir != null) {
            backups = new BackupScheduler(node, options.backupDir, options.backupIntervalDuration(),
                    options.backupRetain);
        }
        BackupScheduler scheduled = backups;
        List<ReloadingTls> identities = Stream.of(clientTls, peerTls).filter(Objects::nonNull).distinct().toList();
        TlsReloader reloader = identities.isEmpty() ? null
                : TlsReloader.watch(identities, Duration.ofSeconds(Math.max(1, options.tlsReloadSeconds))).onSighup();
        CountDownLatch stopped = new CountDownLatch(1);
        Duration handOffBound = Duration.ofMillis(2 * options.electionMillis);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down node {}", cfg.nodeId());
            if (scheduled != null) {
                scheduled.close();
            }
            LeaderHandOff.run(node, handOffBound);
            checks.close();
            if (httpApi != null) {
                httpApi.close();
            }
            if (reloader != null) {
                reloader.close();
            }
            clients.close();
            admin.close();
            node.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * Starts node {@code cfg} with a {@link CoordinationState} under {@code limits} as its state
     * machine, kept in the node's own store, and attaches the watch hub to it before the node
     * applies anything.
     *
     * @throws StorageException when the data dir is corrupt or belongs to another cluster or node
     */
    public static ServedNode startNode(NodeConfig cfg, NodeMetrics metrics, StateLimits limits) throws IOException {
        // RaftNode.start opens the store and builds the state machine over it through this
        // factory, before the loop starts.
        CoordinationState[] state = new CoordinationState[1];
        WatchHub[] hub = new WatchHub[1];
        RaftNode node = RaftNode.start(cfg, metrics, store -> {
            state[0] = new CoordinationState(store, limits);
            hub[0] = WatchHub.attach(state[0]);
            return state[0];
        });
        return new ServedNode(node, state[0], hub[0]);
    }

    /** Members' labels from the replicated state, for {@code /status}. */
    static Map<Long, MemberLabels> labelsOf(CoordinationState state) {
        Map<Long, MemberLabels> out = new HashMap<>();
        state.memberLocalities().forEach((id, l) -> out.put(id, new MemberLabels(l.getDatacenter(), l.getZone(),
                state.observers().contains(id))));
        for (long id : state.observers()) {
            out.putIfAbsent(id, new MemberLabels("", "", true));
        }
        return out;
    }

    /** The limits as a JSON object for {@code /status}: what this node enforces. */
    static String limitsJson(StateLimits l, long quotaBytes, PageSizes pages) {
        return "{\"maxPathBytes\":" + l.maxPathBytes() + ",\"maxValueBytes\":" + l.maxValueBytes()
                + ",\"maxRequestBytes\":" + l.maxRequestBytes() + ",\"maxMultiOps\":" + l.maxMultiOps()
                + ",\"historyRevisions\":" + l.historyRevisions() + ",\"minSessionTtlMillis\":"
                + l.minSessionTtlMillis() + ",\"maxSessionTtlMillis\":" + l.maxSessionTtlMillis()
                + ",\"quotaBytes\":" + quotaBytes + ",\"defaultPageSize\":" + pages.defaultSize()
                + ",\"maxPageSize\":" + pages.maxSize() + "}";
    }
}
