package io.kvorum.server.api;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.kvorum.proto.batch.MessageBurst;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.server.auth.AccessControl;
import io.kvorum.server.node.LocalStorage;
import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.housekeeping.AddressAnnouncer;
import io.kvorum.server.housekeeping.LeaderPlacement;
import io.kvorum.server.housekeeping.PeriodicTask;
import io.kvorum.server.housekeeping.SessionKeeper;
import io.kvorum.server.housekeeping.TtlNodeReaper;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import io.kvorum.server.state.StateLimits;
import io.kvorum.server.tls.TlsOnlyNegotiator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client port: a gRPC server with the KV, Watch, Session, Cluster, Maintenance and Auth
 * services of kvorum.proto over one node and the standard gRPC health service, plus the background
 * duties of serving clients (replicating keep-alives, expiring sessions and TTL nodes on the
 * leader, announcing this node's client address). Every service is wrapped by {@link RequestParsing} so a request that does not
 * parse gets INVALID_ARGUMENT. Inbound messages are capped a little above the request limit;
 * the {@link RequestValidator} then enforces the exact limits with clear errors. Every call
 * passes {@link Admission} first, which bounds the work in flight, then {@link AccessInterceptor},
 * which authenticates it and checks every request (each item of a Batch stream included) while
 * auth is enabled.
 */
public final class ClientServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientServer.class);
    /** Room above maxRequestBytes so a request just over the limit gets our message, not gRPC's. */
    static final int INBOUND_SLACK_BYTES = 64 * 1024;
    /**
     * A fixed HTTP/2 flow-control window (gRPC's default size) instead of automatic tuning,
     * which answers each DATA frame that arrives while no PING is out with a PING: one extra
     * frame and wake-up each way per request of a lone client.
     */
    private static final int FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;
    /** How often the leader looks at whether leadership belongs in another datacenter. */
    private static final Duration PLACEMENT_CHECK_INTERVAL = Duration.ofMillis(200);

    private final Server server;
    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final WatchHub hub;
    private final SessionKeeper keeper;
    private final TtlNodeReaper reaper;
    private final AddressAnnouncer announcer;
    private final LeaderPlacement leaderPlacement;
    private final WatchService watch;
    private final Admission admission;
    private final HealthService health;
    private final SpaceQuota quota;
    private final ClientCalls calls;
    private final AccessControl access;
    private final CallerAccess callerAccess;
    private volatile String clientAddress;

    /**
     * Binds {@code listen} and starts serving {@code served} (a node, its state, the state's
     * watch hub), under the state's own limits and {@code options}. {@code parts} are what may
     * stay at their defaults: the metrics it reports to, the limits of what this node takes on
     * at once ({@link Admission}), the space quota above which writes that add data are refused,
     * the port's security (TLS with no plaintext fallback, and the settings of authentication,
     * which is switched on and off through the Auth service), and its placement: the locality
     * announced with the client address and, while this node leads, the move of leadership to
     * its preferred datacenters ({@link LeaderPlacement}).
     *
     * @param advertise the address clients should use to reach this node (announced to the
     *                  cluster); null: the bound address
     */
    public ClientServer(InetSocketAddress listen, String advertise, ServedNode served, ApiOptions options,
                        ClientServerParts parts) throws IOException {
        RaftNode node = served.node();
        CoordinationState state = served.state();
        StateLimits limits = state.limits();
        Path storeDir = LocalStorage.of(node).directory();
        ClientSecurity security = parts.security();
        ClientMetrics metrics = parts.metrics();
        Placement placement = parts.placement();
        if (security.breakGlass() && !listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("break-glass mode turns auth off on this node: its client port must "
                    + "listen on a loopback address, not " + listen);
        }
        this.hub = served.hub();
        this.quota = parts.quota();
        this.admission = new Admission(parts.admission(), () -> {
            NodeStatus s = node.status();
            return s.commitIndex() - s.appliedIndex();
        }, metrics);
        this.pool = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                daemon("kvorum-api"));
        ScheduledThreadPoolExecutor apiTimer = new ScheduledThreadPoolExecutor(1, daemon("kvorum-api-timer"));
        apiTimer.setRemoveOnCancelPolicy(true);
        this.timer = apiTimer;
        DeadlineTimer deadlines = new DeadlineTimer(apiTimer);
        Errors errors = new Errors(id -> state.memberClientAddresses().get(id), () -> node.status().id());
        RequestValidator validator = new RequestValidator(limits);
        Proposer proposer = new Proposer(node, deadlines);
        Headers headers = new Headers(node);
        Replies replies = new Replies(errors);
        RevisionWaiter waiter = new RevisionWaiter(state::revision, deadlines);
        hub.onRevision(waiter::poke);
        ReadGate reads = new ReadGate(node, waiter, pool, deadlines);
        this.keeper = new SessionKeeper(node, state, proposer::propose, options.touchFlushInterval(),
                options.expiryCheckInterval(), metrics::sessionsExpired);
        this.watch = new WatchService(hub, validator, headers, options, metrics, pool, node::leaderCutOff,
                errors::unavailable);
        this.health = new HealthService(node::status, Set.of(KVGrpc.SERVICE_NAME, WatchGrpc.SERVICE_NAME,
                SessionGrpc.SERVICE_NAME, ClusterGrpc.SERVICE_NAME));
        this.access = new AccessControl(state.auth(), security.tokenTtl(), security.passwordIterations(),
                System::currentTimeMillis);
        AccessInterceptor accessGuard = new AccessInterceptor(access, state::sessionOwner, pool,
                security.breakGlass());
        QuotaInterceptor quotaGuard = new QuotaInterceptor(quota);
        quota.refresh();
        KvService kv = new KvService(state, validator, proposer, reads, headers, replies, options.defaultDeadline(),
                options.pageSizes());
        SessionService sessions = new SessionService(node, state, validator, proposer, keeper, headers, replies, errors,
                options.defaultDeadline(), deadlines);
        AuthService auth = new AuthService(state, access, proposer, reads, headers, replies, options.defaultDeadline());
        this.calls = new ClientCalls(kv, sessions, watch, auth, errors, quota, limits, options.defaultDeadline(),
                () -> "leader".equals(node.status().role()), accessGuard, admission);
        this.callerAccess = new CallerAccess(access, security.breakGlass());
        // Batch streams send the results of one apply burst as one message.
        node.setCompletionScope(MessageBurst::run);
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(listen);
            if (security.tls() != null) {
                builder.protocolNegotiator(TlsOnlyNegotiator.of(security.tls().serverContext(
                        security.requireClientCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL), "client port"));
            }
            if (metrics.streamTracer() != null) {
                builder.addStreamTracerFactory(metrics.streamTracer());
            }
            // Server interceptors run last-added first: admission, then the log context, then
            // access (so audit lines carry the log context), then the services' own.
            Server s = builder
                    .executor(pool)
                    .intercept(accessGuard)
                    .intercept(new RequestLogContext(node.status().id(), () -> node.status().term()))
                    .callExecutor(new InlineCalls())
                    .maxInboundMessageSize(limits.maxRequestBytes() + INBOUND_SLACK_BYTES)
                    .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
                    .intercept(admission)
                    .addService(ServerInterceptors.intercept(RequestParsing.wrap(BatchStream.bind(kv.bindService(), kv,
                            errors, options.defaultDeadline(), quota, admission, accessGuard)), quotaGuard))
                    .addService(RequestParsing.wrap(watch.bindService()))
                    .addService(ServerInterceptors.intercept(RequestParsing.wrap(sessions.bindService()), quotaGuard))
                    .addService(RequestParsing.wrap(new MaintenanceService(node, state, proposer, headers, replies,
                            errors, quota, pool, options.defaultDeadline()).bindService()))
                    .addService(RequestParsing.wrap(new ClusterService(node, state, headers, replies, errors,
                            this::clientAddress, proposer, placement, () -> DiskUsage.bytes(storeDir),
                            options.promoteMaxLag(), options.defaultDeadline()).bindService()))
                    .addService(RequestParsing.wrap(auth.bindService()))
                    .addService(health)
                    .build().start();
            this.server = s;
        } catch (IOException | RuntimeException e) {
            access.detach();
            timer.shutdownNow();
            pool.shutdownNow();
            throw e;
        }
        // With port 0 the address to announce is only known once bound.
        this.clientAddress = advertisedOr(advertise, listen, server.getPort());
        this.reaper = new TtlNodeReaper(node, state, proposer::propose, options.ttlNodeCheckInterval());
        this.announcer = new AddressAnnouncer(node, state, proposer::propose, clientAddress,
                placement.locality(), options.announceInterval());
        this.leaderPlacement = new LeaderPlacement(node, state, placement.datacenter(), placement.leaderPreference(),
                placement.leaderSettle(), System::nanoTime);
        // Backstop for waiting reads: an installed snapshot moves the revision without events.
        timer.scheduleWithFixedDelay(PeriodicTask.guard(waiter::poke), DeadlineTimer.PERIODIC_BOUND_MILLIS,
                DeadlineTimer.PERIODIC_BOUND_MILLIS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(PeriodicTask.guard(quota::refresh), 1, 1, TimeUnit.SECONDS);
        keeper.start(timer);
        reaper.start(timer);
        announcer.start(timer);
        leaderPlacement.start(timer, PLACEMENT_CHECK_INTERVAL);
        watch.start(timer);
        health.start(timer);
        if (security.breakGlass()) {
            LOG.warn("node {} is in break-glass mode: its client port checks no credentials and no rights",
                    node.status().id());
        }
        LOG.info("node {} serves clients on {} (announced as {}, {})", node.status().id(), listen, clientAddress,
                security.tls() == null ? "plaintext" : security.requireClientCert() ? "TLS, client certificates required"
                        : "TLS");
    }

    /**
     * Runs the small KV calls on the Netty thread that read them: a write only validates and
     * queues a proposal, a point read looks up one key, so a hop to the pool would cost more
     * than the work. A Batch stream's items are the same calls, dispatched the same way.
     * Everything that may take longer (children pages, sessions, watches,
     * cluster calls) runs on the API pool (null: the server's executor).
     */
    private static final class InlineCalls implements ServerCallExecutorSupplier {
        private static final Set<String> INLINE = Set.of(KVGrpc.getCreateMethod().getFullMethodName(),
                KVGrpc.getSetMethod().getFullMethodName(), KVGrpc.getDeleteMethod().getFullMethodName(),
                KVGrpc.getMultiMethod().getFullMethodName(), KVGrpc.getGetMethod().getFullMethodName(),
                KVGrpc.getExistsMethod().getFullMethodName(), KVGrpc.getBatchMethod().getFullMethodName());

        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
            return INLINE.contains(call.getMethodDescriptor().getFullMethodName())
                    ? MoreExecutors.directExecutor() : null;
        }
    }

    /** The client port actually bound (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    /** The same calls as futures, for the HTTP/JSON front end; checked against the caller's rights. */
    public ClientCalls calls() {
        return calls;
    }

    /** Identifies the callers of the HTTP/JSON front end by the cluster's users, as this port does. */
    public CallerAccess callerAccess() {
        return callerAccess;
    }

    /** The door's counts: requests in flight and refused. */
    public Admission admission() {
        return admission;
    }

    /** Watches open on this node's streams, for metrics (weakly consistent). */
    public int openWatches() {
        return watch.openWatches();
    }

    public String clientAddress() {
        return clientAddress;
    }

    /** This node's space quota and its alarm. */
    public SpaceQuota quota() {
        return quota;
    }

    private static String advertisedOr(String advertise, InetSocketAddress listen, int boundPort) {
        if (advertise != null && !advertise.isBlank()) {
            return advertise;
        }
        String host = listen.getHostString();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return host + ":" + (boundPort != 0 ? boundPort : listen.getPort());
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops taking calls, ends open streams, and stops the background duties. */
    @Override
    public void close() {
        announcer.close();
        leaderPlacement.close();
        reaper.close();
        keeper.close();
        watch.close();
        health.close();
        server.shutdown();
        try {
            // Unary calls finish; watch and keep-alive streams never end by themselves.
            if (!server.awaitTermination(1, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        timer.shutdownNow();
        pool.shutdownNow();
        hub.detach();
        access.detach();
    }
}
