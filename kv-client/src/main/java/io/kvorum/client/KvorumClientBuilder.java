package io.kvorum.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Configures a {@link KvorumClient}. Only the endpoints are required.
 *
 * <pre>{@code
 * KvorumClient client = KvorumClient.builder()
 *     .endpoints("10.0.0.1:7379", "10.0.0.2:7379", "10.0.0.3:7379")
 *     .defaultDeadline(Duration.ofSeconds(3))
 *     .tls(Path.of("ca.pem"), null, null)          // optional: TLS
 *     .credentials("alice", password)               // optional: auth
 *     .build();
 * }</pre>
 */
public final class KvorumClientBuilder {
    /** Largest message the client accepts: a 1 MiB value or a page of children with stats fits with room. */
    static final int MAX_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;
    private static final int FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** The number of answers a Kvorum server keeps per client for exactly-once retries. */
    static final int DEFAULT_MAX_WRITES_IN_FLIGHT = 1_000;

    private final List<Endpoint> endpoints = new ArrayList<>();
    private EndpointPolicy policy;
    private String localDatacenter;
    private Duration defaultDeadline = Duration.ofSeconds(5);
    private Duration attemptTimeout = Duration.ofSeconds(2);
    private Duration retryBase = Duration.ofMillis(20);
    private Duration retryMax = Duration.ofSeconds(1);
    private Duration endpointBackoffBase = Duration.ofMillis(200);
    private Duration endpointBackoffMax = Duration.ofSeconds(5);
    private Duration sessionTtl = Duration.ofSeconds(10);
    private Duration watchCheckInterval = Duration.ofSeconds(1);
    private Duration memberRefreshInterval = Duration.ofSeconds(5);
    private boolean memberDiscovery = true;
    private ChannelFactory channelFactory;
    private ChannelCredentials transport = InsecureChannelCredentials.create();
    private TokenCredentials credentials;
    private int maxWritesInFlight = DEFAULT_MAX_WRITES_IN_FLIGHT;
    private boolean batching = true;
    private boolean hedgeReads = true;
    private boolean ownEventLoop;

    KvorumClientBuilder() {
    }

    /**
     * Adds endpoints given as {@code host:port}, weight 1, no datacenter. Each argument may also
     * list several, separated by commas: {@code endpoints("n1:7379,n2:7379,n3:7379")}.
     */
    public KvorumClientBuilder endpoints(String... hostPorts) {
        return endpoints(List.of(hostPorts));
    }

    /** Adds endpoints given as {@code host:port} (or comma-separated lists of them), as {@link #endpoints(String...)}. */
    public KvorumClientBuilder endpoints(Collection<String> hostPorts) {
        for (String list : hostPorts) {
            for (String a : list.split(",", -1)) {
                if (a.isBlank()) {
                    throw new IllegalArgumentException("empty endpoint in '" + list + "'");
                }
                endpoints.add(Endpoint.of(a.trim()));
            }
        }
        return this;
    }

    /** Adds endpoints with weights or datacenters. */
    public KvorumClientBuilder endpoints(Endpoint... endpoints) {
        this.endpoints.addAll(List.of(endpoints));
        return this;
    }

    /**
     * How calls are spread over the endpoints; by default {@link EndpointPolicy#PREFER_LOCAL} when
     * a {@link #localDatacenter(String)} is given, else {@link EndpointPolicy#ROUND_ROBIN}.
     */
    public KvorumClientBuilder endpointPolicy(EndpointPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * The client's own datacenter: reads go to members there (voters or observers, as their
     * servers' {@code --datacenter} says) while one is healthy, to the others otherwise; writes go
     * to the leader wherever it is. Selects {@link EndpointPolicy#PREFER_LOCAL} unless
     * {@link #endpointPolicy(EndpointPolicy)} chose another policy.
     */
    public KvorumClientBuilder localDatacenter(String datacenter) {
        this.localDatacenter = Objects.requireNonNull(datacenter, "datacenter");
        return this;
    }

    /** How long a call may take, retries included, unless it says otherwise; 5 s by default. */
    public KvorumClientBuilder defaultDeadline(Duration deadline) {
        this.defaultDeadline = positive(deadline, "defaultDeadline");
        return this;
    }

    /**
     * How long one attempt may take before the call is retried elsewhere (idempotent calls and
     * deduplicated writes only); 2 s by default. Keeps a hung or partitioned node from eating
     * the whole deadline.
     */
    public KvorumClientBuilder attemptTimeout(Duration timeout) {
        this.attemptTimeout = positive(timeout, "attemptTimeout");
        return this;
    }

    /** The delay before the first retry and the largest delay; jittered, doubling. 20 ms and 1 s by default. */
    public KvorumClientBuilder retryBackoff(Duration base, Duration max) {
        this.retryBase = positive(base, "retry base");
        this.retryMax = positive(max, "retry max");
        return this;
    }

    /**
     * How long a failed endpoint is skipped: the first period and the largest, jittered,
     * doubling while it keeps failing. 200 ms and 5 s by default.
     */
    public KvorumClientBuilder endpointBackoff(Duration base, Duration max) {
        this.endpointBackoffBase = positive(base, "endpoint backoff base");
        this.endpointBackoffMax = positive(max, "endpoint backoff max");
        return this;
    }

    /** TTL of the client's own session (the one ephemeral nodes use unless told otherwise); 10 s by default. */
    public KvorumClientBuilder sessionTtl(Duration ttl) {
        this.sessionTtl = positive(ttl, "sessionTtl");
        return this;
    }

    /**
     * How often the watch stream is checked: it must answer a progress request and keep up with
     * the newest revision the client saw elsewhere, or it is moved to another node (a
     * partitioned node answers with a frozen revision; a paused one answers nothing, and cannot
     * end the stream itself as a node cut off from its leader does). 1 s by default, so a watch
     * on a paused node moves within about two seconds: a lock waiter watching through it would
     * otherwise miss its turn for the whole pause. It costs one small message a second per client.
     */
    public KvorumClientBuilder watchCheckInterval(Duration interval) {
        this.watchCheckInterval = positive(interval, "watchCheckInterval");
        return this;
    }

    /**
     * How often the client asks the cluster for its members and leader; 5 s by default. The
     * client also asks at once when an answer shows a new raft term or the leader fails, so
     * this only bounds how late it learns of members added or removed. Members join the
     * rotation of reads (configured endpoints always stay in it); writes go to the leader.
     */
    public KvorumClientBuilder memberRefreshInterval(Duration interval) {
        this.memberRefreshInterval = positive(interval, "memberRefreshInterval");
        return this;
    }

    /**
     * Whether the client asks the cluster for its members and leader (on by default; see
     * {@link #memberRefreshInterval}). Off, it talks to the configured endpoints alone and sends
     * a write to whichever it picks (a follower forwards it to the leader) until an answer names
     * the leader: for a short-lived process, such as a command-line tool making one call, which
     * would otherwise open a second connection for the member list it never uses.
     */
    public KvorumClientBuilder memberDiscovery(boolean enabled) {
        this.memberDiscovery = enabled;
        return this;
    }

    /**
     * Connects over TLS: the servers' certificates must chain to {@code caFile}; with
     * {@code certFile} and {@code keyFile} (PEM, unencrypted PKCS#8) the client also presents a
     * certificate (servers started with --client-cert-auth require one; its common name is the
     * user when auth is on and no password is given). Pass null for both to present none.
     */
    public KvorumClientBuilder tls(Path caFile, Path certFile, Path keyFile) {
        Objects.requireNonNull(caFile, "caFile");
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs both its certificate and key file");
        }
        try {
            TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(caFile.toFile());
            if (certFile != null) {
                b.keyManager(certFile.toFile(), keyFile.toFile());
            }
            this.transport = b.build();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read TLS files " + caFile + ", " + certFile + ", " + keyFile
                    + ": " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * The client's write window: a write is sent only while its sequence is less than this many
     * past the oldest write still in flight; later writes wait (within their deadline) for an
     * earlier one to end. The cluster remembers the answers of each client's most recent writes
     * for exactly-once retries (1,000 per client); a window no
     * larger than that means no write in flight can fall below what the cluster remembers and be
     * refused as "answered before" without having been applied. 1,000 by default; a larger
     * window brings those false refusals back.
     */
    public KvorumClientBuilder maxWritesInFlight(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("maxWritesInFlight must be at least 1, not " + window);
        }
        this.maxWritesInFlight = window;
        return this;
    }

    /**
     * Authenticates as {@code user}: the client logs in on first use, sends the token with every
     * call and renews it before it expires. Use with {@link #tls} so the password and tokens
     * are not sent in the clear.
     */
    public KvorumClientBuilder credentials(String user, String password) {
        this.credentials = new TokenCredentials(Objects.requireNonNull(user, "user"),
                Objects.requireNonNull(password, "password"));
        return this;
    }

    /**
     * Makes the channels (interceptors, tests) instead of the built-in factory; {@link #tls} and
     * {@link #credentials} then do not apply. Plaintext by default.
     */
    public KvorumClientBuilder channelFactory(ChannelFactory factory) {
        this.channelFactory = Objects.requireNonNull(factory, "factory");
        return this;
    }

    /**
     * Whether the client runs its connections on an event loop of its own (one thread, Java
     * NIO), stopped by {@link KvorumClient#close()}, rather than on gRPC's shared one (epoll
     * where available), which stays up a second after the last connection closes; off by
     * default. For short-lived processes such as a command-line tool: JDK 17 holds a JVM's exit
     * back some 0.3 s while a thread waits in a system call, as an idle event loop does. Does not
     * apply with a {@link #channelFactory}.
     */
    public KvorumClientBuilder ownEventLoop(boolean own) {
        this.ownEventLoop = own;
        return this;
    }

    /**
     * Whether point calls (create, set, delete, multi, get, exists) travel as items of one Batch
     * stream per endpoint, many to a message, rather than one unary call each; on by default.
     * Answers, errors, deadlines and retries are the same either way; batching costs less CPU
     * and fewer packets per call when many calls are in flight. Requests over 32 KiB always go
     * unary, and so does everything sent to a server without Batch.
     */
    public KvorumClientBuilder batching(boolean enabled) {
        this.batching = enabled;
        return this;
    }

    /**
     * Whether a read (get, exists, children) that its first node has not answered within the
     * 95th percentile of this client's recent read latencies is also sent to a second node, the
     * first answer winning and the other copy cancelled; on by default. A hung, paused or
     * partitioned node then delays a read by about that percentile instead of the attempt
     * timeout. Hedges are limited to about a tenth of reads. Sound for linearizable reads too:
     * each copy is a whole linearizable read inside the caller's call. A node that a hedge beats
     * twice in a row is left out of routing until it answers a probe.
     */
    public KvorumClientBuilder hedgeReads(boolean enabled) {
        this.hedgeReads = enabled;
        return this;
    }

    /**
     * A gRPC channel to one {@code host:port} with this builder's transport ({@link #tls}) and
     * {@link #credentials}, for calls the client does not wrap (e.g. the Maintenance service's
     * snapshot stream). Connects lazily; the caller shuts it down.
     */
    public io.grpc.ManagedChannel channelTo(String address) {
        Objects.requireNonNull(address, "address");
        return channel(address, transport, credentials, null);
    }

    /** Builds the client. Connects lazily: no call is made until the first request. */
    public KvorumClient build() {
        return new KvorumClient(config());
    }

    ClientConfig config() {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("a Kvorum client needs at least one endpoint (host:port)");
        }
        Set<String> seen = new HashSet<>();
        for (Endpoint e : endpoints) {
            if (!seen.add(e.address())) {
                throw new IllegalArgumentException("endpoint " + e.address() + " is given twice");
            }
        }
        EndpointPolicy policy = this.policy != null ? this.policy
                : localDatacenter != null ? EndpointPolicy.PREFER_LOCAL : EndpointPolicy.ROUND_ROBIN;
        // No endpoint need be configured in the local datacenter: members announce theirs.
        if (policy == EndpointPolicy.PREFER_LOCAL && localDatacenter == null) {
            throw new IllegalArgumentException("PREFER_LOCAL needs localDatacenter(...)");
        }
        if (retryMax.compareTo(retryBase) < 0 || endpointBackoffMax.compareTo(endpointBackoffBase) < 0) {
            throw new IllegalArgumentException("a backoff's max must not be below its base");
        }
        ChannelFactory factory = channelFactory;
        if (factory == null) {
            ChannelCredentials t = transport;
            TokenCredentials c = credentials;
            factory = ownEventLoop ? new OwnEventLoopChannels((address, loop) -> channel(address, t, c, loop))
                    : address -> channel(address, t, c, null);
        }
        return new ClientConfig(List.copyOf(endpoints), policy, localDatacenter, defaultDeadline, attemptTimeout,
                retryBase, retryMax, endpointBackoffBase, endpointBackoffMax, sessionTtl, watchCheckInterval,
                memberRefreshInterval, memberDiscovery, factory, maxWritesInFlight, batching, hedgeReads);
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, not " + d);
        }
        return d;
    }

    /** @param loop the event loop the channel runs on, or null for gRPC's shared one */
    private static io.grpc.ManagedChannel channel(String address, ChannelCredentials transport,
                                                  TokenCredentials credentials, EventLoopGroup loop) {
        // Netty's builder directly, not through gRPC's provider registry (a service-loader scan
        // that also probes for native transports): Netty is the transport the client ships with.
        InetSocketAddress literal = ipLiteral(address);
        NettyChannelBuilder b = literal != null
                ? NettyChannelBuilder.forAddress(literal, transport).overrideAuthority(address)
                : NettyChannelBuilder.forTarget(address, transport);
        b.maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                // A fixed window (gRPC's default size): automatic tuning would send a PING for each
                // answer that arrives while none is out, an extra frame each way per call of a
                // client that has one call in flight.
                .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES);
        if (loop != null) {
            b.eventLoopGroup(loop).channelType(NioSocketChannel.class, InetSocketAddress.class);
        }
        if (credentials != null) {
            b.intercept(credentials);
        }
        return b.build();
    }

    /**
     * {@code address} as a socket address when its host is an IP literal ({@code 10.0.0.1:7379},
     * {@code [::1]:7379}), else null. A literal needs no name resolution: the channel then skips
     * gRPC's DNS resolver, whose set-up (a JNDI probe, a resolver thread) a short-lived client
     * such as the CLI pays before its first call. The caller keeps {@code address} as the
     * channel's authority, as with the resolver, so TLS checks the same name.
     */
    static InetSocketAddress ipLiteral(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            return null; // no port: gRPC's resolver reports it, as before
        }
        String host = address.substring(0, colon);
        boolean v6 = host.startsWith("[") && host.endsWith("]");
        if (!v6 && !isIpv4(host)) {
            return null; // a name: gRPC's resolver looks it up (and again on reconnects)
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null; // the resolver reports the bad port, as before
        }
        if (port < 0 || port > 65_535) {
            return null;
        }
        try {
            // A literal is parsed, never looked up (a bracketed one that is not IPv6 is refused).
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isIpv4(String host) {
        if (!IPV4.matcher(host).matches()) {
            return false;
        }
        for (String octet : host.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** A plaintext channel to {@code address}, as the built-in factory makes without TLS or credentials. */
    static io.grpc.ManagedChannel plaintextChannel(String address) {
        return channel(address, InsecureChannelCredentials.create(), null, null);
    }
}
