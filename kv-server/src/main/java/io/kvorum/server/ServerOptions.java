package io.kvorum.server;

import io.kvorum.server.api.Placement;
import io.kvorum.server.api.PageSizes;
import io.kvorum.server.state.StateLimits;
import io.kvorum.server.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Flags of {@code kvorum-server}. Every flag may also come from the properties file named by
 * {@code --config}, keyed by the flag's long name without dashes (e.g. {@code peer-listen=...});
 * a flag on the command line wins over the file.
 */
final class ServerOptions {
    @Option(names = "--id", required = true, description = "This node's id, a positive integer.")
    long id;

    @Option(names = "--cluster-id", defaultValue = "kvorum",
            description = "Name of the cluster; a node or data dir of another cluster is refused. Default: ${DEFAULT-VALUE}.")
    String clusterId;

    @Option(names = "--data-dir", description = "Where the node keeps its data. Default: ./data/node-<id>.")
    Path dataDir;

    @Option(names = "--client-listen", defaultValue = "127.0.0.1:7379",
            description = "host:port of the client API. Default: ${DEFAULT-VALUE}.")
    String clientListen;

    @Option(names = "--client-advertise",
            description = "host:port clients should use to reach this node, announced to the cluster (e.g. when "
                    + "--client-listen is 0.0.0.0). Default: the --client-listen address.")
    String clientAdvertise;

    @Option(names = "--datacenter", defaultValue = "",
            description = "The datacenter this node runs in, announced to the cluster: shown by 'kvorum member list', "
                    + "used by clients that prefer their local datacenter. Default: none.")
    String datacenter;

    @Option(names = "--zone", defaultValue = "",
            description = "The zone (e.g. rack or availability zone) within the datacenter, announced likewise. "
                    + "Default: none.")
    String zone;

    @Option(names = "--leader-preference", defaultValue = "",
            description = "Datacenters to keep the leader in, most preferred first, e.g. dc1,dc2; give every node the "
                    + "same. A leader elsewhere hands leadership to a live, caught-up voter in a better one after "
                    + "leading for 3 election timeouts. Default: none (leader anywhere).")
    String leaderPreference;

    @Option(names = "--max-path-bytes", defaultValue = "4096",
            description = "Longest path in UTF-8 bytes; the same on every node. Default: ${DEFAULT-VALUE}.")
    int maxPathBytes;

    @Option(names = "--max-value-bytes", defaultValue = "1048576",
            description = "Largest node value in bytes; the same on every node. Default: ${DEFAULT-VALUE}.")
    int maxValueBytes;

    @Option(names = "--max-request-bytes", defaultValue = "4194304",
            description = "Largest client request in bytes; the same on every node. Default: ${DEFAULT-VALUE}.")
    int maxRequestBytes;

    @Option(names = "--peer-listen", defaultValue = "127.0.0.1:7380",
            description = "host:port for raft traffic between nodes. Default: ${DEFAULT-VALUE}.")
    String peerListen;

    @Option(names = "--admin-listen", defaultValue = "127.0.0.1:7381",
            description = "host:port of the admin HTTP endpoints (/health /ready /status /metrics). Default: ${DEFAULT-VALUE}.")
    String adminListen;

    @Option(names = "--http-listen",
            description = "host:port of the HTTP/JSON API (docs/http-api.md): nodes, sessions, blocking queries, "
                    + "event streams. Off when unset.")
    String httpListen;

    @Option(names = "--initial-cluster",
            description = "Founding members as id=host:peerPort,... e.g. 1=127.0.0.1:7380,2=127.0.0.1:7390. A host "
                    + "may be a DNS name: looked up when connecting and again after a failed connection, so a "
                    + "member is found at a new address; a member is its id. Default: this node alone.")
    String initialCluster;

    @Option(names = "--join", description = "Join an existing cluster instead of founding one: start empty and wait "
            + "to be added (as a learner, then promoted) by the current members.")
    boolean join;

    @Option(names = "--heartbeat-ms", defaultValue = "100",
            description = "Leader heartbeat interval. Default: ${DEFAULT-VALUE}. Across a WAN use about one round trip.")
    long heartbeatMillis;

    @Option(names = "--election-ms", defaultValue = "1000",
            description = "Base election timeout (randomised up to twice it). Default: ${DEFAULT-VALUE}. "
                    + "Across a WAN use 5-10 round trips.")
    long electionMillis;

    @Option(names = "--snapshot-entries", defaultValue = "10000",
            description = "Applied entries between snapshots. Default: ${DEFAULT-VALUE}.")
    long snapshotEntries;

    @Option(names = "--log-format", defaultValue = "text",
            description = "text (readable lines) or json (one JSON object per line, with node id, term and the "
                    + "client's x-request-id). Default: ${DEFAULT-VALUE}.")
    String logFormat;

    @Option(names = "--metric-events", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Count and time events (requests, proposals, fsyncs) for /metrics. --no-metric-events "
                    + "leaves only figures read at scrape time; for measuring what metrics cost. Default: on.")
    boolean metricEvents;
    @Option(names = "--max-multi-ops", defaultValue = "128",
            description = "Most operations in one multi; the same on every node. Default: ${DEFAULT-VALUE}.")
    int maxMultiOps;

    @Option(names = "--history-revisions", defaultValue = "10000",
            description = "Revisions of events kept for watches to resume from; the same on every node. "
                    + "Default: ${DEFAULT-VALUE}.")
    long historyRevisions;

    @Option(names = "--min-session-ttl-ms", defaultValue = "2000",
            description = "Shortest session TTL accepted; the same on every node. Default: ${DEFAULT-VALUE}.")
    long minSessionTtlMillis;

    @Option(names = "--max-session-ttl-ms", defaultValue = "600000",
            description = "Longest session TTL accepted; the same on every node. Default: ${DEFAULT-VALUE}.")
    long maxSessionTtlMillis;

    @Option(names = "--default-page-size", defaultValue = "1000",
            description = "Children per page of a listing when the client asks for no size. "
                    + "Default: ${DEFAULT-VALUE}.")
    int defaultPageSize;

    @Option(names = "--max-page-size", defaultValue = "10000",
            description = "Most children per page of a listing, whatever the client asks. Default: ${DEFAULT-VALUE}.")
    int maxPageSize;

    @Option(names = "--quota-bytes", defaultValue = "4294967296",
            description = "Space quota of the node's database: over it, writes that add data are refused "
                    + "(RESOURCE_EXHAUSTED) until deletes and 'kvorum compact-storage' bring it back under; 0 for "
                    + "none. Default: ${DEFAULT-VALUE} (4 GiB).")
    long quotaBytes;

    @Option(names = "--force-new-cluster", description = "Disaster recovery, when a quorum is lost for good: start "
            + "this node as the only voter of its cluster, keeping its data (entries it holds are committed). "
            + "Then add new members. See docs/operations.md.")
    boolean forceNewCluster;

    @Option(names = "--backup-dir", description = "Take scheduled backups (snapshot files) into this directory, "
            + "from whichever node leads. Off by default.")
    Path backupDir;

    @Option(names = "--backup-interval", defaultValue = "1h",
            description = "Time between scheduled backups, e.g. 30m, 1h, 90s. Default: ${DEFAULT-VALUE}.")
    String backupInterval;

    @Option(names = "--backup-retain", defaultValue = "24",
            description = "Scheduled backups kept; older ones are deleted. Default: ${DEFAULT-VALUE}.")
    int backupRetain;

    @Option(names = "--tls-cert", description = "PEM certificate (chain) of this node for the client and admin ports, "
            + "and the peer port unless --peer-tls-cert is given. With TLS every port is TLS only.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key (unencrypted PKCS#8 or PKCS#1) of --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-ca", description = "PEM CA certificate(s) that client certificates (and peers' unless "
            + "--peer-tls-ca is given) must chain to.")
    Path tlsCa;

    @Option(names = "--peer-tls-cert", description = "PEM certificate for the peer port; must name this node as "
            + "DNS name node-<id>. Default: --tls-cert.")
    Path peerTlsCert;

    @Option(names = "--peer-tls-key", description = "PEM private key of --peer-tls-cert. Default: --tls-key.")
    Path peerTlsKey;

    @Option(names = "--peer-tls-ca", description = "PEM CA of the cluster: every peer's certificate must chain to it. "
            + "Default: --tls-ca.")
    Path peerTlsCa;

    @Option(names = "--client-cert-auth", description = "Clients must present a certificate of --tls-ca (mutual TLS); "
            + "its common name is the user when auth is enabled.")
    boolean clientCertAuth;

    @Option(names = "--tls-reload-seconds", defaultValue = "10",
            description = "How often TLS files are checked for changes (they are also re-read on SIGHUP). "
                    + "Default: ${DEFAULT-VALUE}.")
    long tlsReloadSeconds;

    @Option(names = "--auth-token-ttl-seconds", defaultValue = "300",
            description = "How long an auth token is accepted; clients renew before. Default: ${DEFAULT-VALUE}.")
    long authTokenTtlSeconds;

    @Option(names = "--auth-password-iterations", defaultValue = "600000",
            description = "PBKDF2-HMAC-SHA256 iterations for new password hashes. Default: ${DEFAULT-VALUE}.")
    int authPasswordIterations;

    @Option(names = "--auth-break-glass", description = "Recovery: this node checks no credentials or rights on its "
            + "client port, which must then listen on loopback (to reset a lost root password).")
    boolean authBreakGlass;

    @Option(names = "--config", description = "A properties file with any of these flags as keys (without dashes).")
    Path config;

    /** {@code --backup-interval} as a duration: a number with a unit of ms, s, m or h. */
    Duration backupIntervalDuration() {
        return parseDuration(backupInterval, "--backup-interval");
    }

    static Duration parseDuration(String text, String flag) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " '" + text + "' is not a duration such as 500ms, 30s, 15m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException(flag + " must be positive, got '" + text + "'");
        }
        return d;
    }

    /** The data model's limits: the defaults with the size flags applied. */
    StateLimits limits() {
        if (maxPathBytes <= 0 || maxValueBytes <= 0 || maxRequestBytes <= 0) {
            throw new IllegalArgumentException("--max-path-bytes, --max-value-bytes and --max-request-bytes must be "
                    + "positive");
        }
        if (maxValueBytes > maxRequestBytes) {
            throw new IllegalArgumentException("--max-value-bytes (" + maxValueBytes
                    + ") must not exceed --max-request-bytes (" + maxRequestBytes + ")");
        }
        if (maxMultiOps <= 0 || historyRevisions <= 0) {
            throw new IllegalArgumentException("--max-multi-ops and --history-revisions must be positive");
        }
        if (minSessionTtlMillis <= 0 || maxSessionTtlMillis < minSessionTtlMillis) {
            throw new IllegalArgumentException("need 0 < --min-session-ttl-ms (" + minSessionTtlMillis
                    + ") <= --max-session-ttl-ms (" + maxSessionTtlMillis + ")");
        }
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("--quota-bytes must not be negative, got " + quotaBytes);
        }
        StateLimits d = StateLimits.defaults();
        return new StateLimits(maxPathBytes, maxValueBytes, maxRequestBytes, maxMultiOps, historyRevisions,
                d.dedupeClients(), d.dedupePerClient(), minSessionTtlMillis, maxSessionTtlMillis);
    }

    /**
     * Where this node runs and where the leader should, from {@code --datacenter}, {@code --zone}
     * and {@code --leader-preference}; the hand-off settles for three election timeouts.
     */
    Placement placement() {
        return new Placement(datacenter, zone, Placement.parsePreference(leaderPreference),
                Duration.ofMillis(3 * Math.max(1, electionMillis)));
    }

    /** Children per page of a listing; throws IllegalArgumentException naming the flags when they disagree. */
    PageSizes pageSizes() {
        if (defaultPageSize < 1 || maxPageSize < defaultPageSize) {
            throw new IllegalArgumentException("need 1 <= --default-page-size (" + defaultPageSize
                    + ") <= --max-page-size (" + maxPageSize + ")");
        }
        return new PageSizes(defaultPageSize, maxPageSize);
    }

    /** The client/admin TLS files, or null without TLS; IllegalArgumentException when only some are given. */
    TlsFiles clientTls() {
        return tlsFiles(tlsCert, tlsKey, tlsCa, "--tls-cert, --tls-key and --tls-ca");
    }

    /** The peer TLS files (defaulting to the client ones), or null without TLS. */
    TlsFiles peerTls() {
        TlsFiles own = tlsFiles(peerTlsCert, peerTlsKey, peerTlsCa, "--peer-tls-cert, --peer-tls-key and --peer-tls-ca");
        TlsFiles client = clientTls();
        if (own != null && client == null) {
            throw new IllegalArgumentException("--peer-tls-* needs --tls-cert, --tls-key and --tls-ca too: with TLS "
                    + "no port stays plaintext");
        }
        if (clientCertAuth && client == null) {
            throw new IllegalArgumentException("--client-cert-auth needs --tls-cert, --tls-key and --tls-ca");
        }
        return own != null ? own : client;
    }

    private static TlsFiles tlsFiles(Path cert, Path key, Path ca, String flags) {
        int given = (cert != null ? 1 : 0) + (key != null ? 1 : 0) + (ca != null ? 1 : 0);
        if (given == 0) {
            return null;
        }
        if (given != 3) {
            throw new IllegalArgumentException(flags + " go together: give all three or none");
        }
        return new TlsFiles(cert, key, ca);
    }

    Path dataDirOrDefault() {
        return dataDir != null ? dataDir : Path.of("data", "node-" + id);
    }

    Map<Long, String> initialClusterOrSelf() {
        if (initialCluster == null || initialCluster.isBlank()) {
            return Map.of(id, peerListen);
        }
        return parseCluster(initialCluster);
    }

    /** Parses {@code 1=host:port,2=host:port}; throws IllegalArgumentException naming the bad part. */
    static Map<Long, String> parseCluster(String spec) {
        Map<Long, String> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("initial cluster member '" + p + "' is not of the form id=host:port");
            }
            long memberId;
            try {
                memberId = Long.parseLong(p.substring(0, eq).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("initial cluster member '" + p + "' has a non-numeric id");
            }
            if (memberId <= 0) {
                throw new IllegalArgumentException("initial cluster member '" + p + "' needs a positive id");
            }
            String address = p.substring(eq + 1).trim();
            parseAddress(address, "initial cluster member " + memberId);
            if (out.put(memberId, address) != null) {
                throw new IllegalArgumentException("initial cluster lists node " + memberId + " twice");
            }
        }
        return out;
    }

    /** Parses {@code host:port}; throws IllegalArgumentException saying which flag is wrong. */
    static InetSocketAddress parseAddress(String hostPort, String what) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException(what + " address '" + hostPort + "' is not of the form host:port");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " address '" + hostPort + "' has a non-numeric port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " address '" + hostPort + "' has port out of range");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, port);
    }
}
