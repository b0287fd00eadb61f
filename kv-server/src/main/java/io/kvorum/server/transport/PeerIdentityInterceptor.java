package io.kvorum.server.transport;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.kvorum.server.tls.CertNames;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a call to the peer port only if it comes from a node of this cluster that meant to
 * reach this node, and records the caller's id for the service. Checking before any handler
 * runs means a node of another cluster (say, a test cluster pointed at production addresses)
 * never gets a single message into the core.
 */
final class PeerIdentityInterceptor implements ServerInterceptor {
    /** The authenticated caller's node id, set for the service methods. */
    static final Context.Key<Long> CALLER = Context.key("kvorum-peer-from");

    private static final Logger LOG = LoggerFactory.getLogger(PeerIdentityInterceptor.class);

    private final long selfId;
    private final String clusterId;
    /** Mutual TLS is on: the caller's certificate must name the member it claims to be. */
    private final boolean tls;

    PeerIdentityInterceptor(long selfId, String clusterId, boolean tls) {
        this.selfId = selfId;
        this.clusterId = clusterId;
        this.tls = tls;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String theirCluster = headers.get(PeerHeaders.CLUSTER_ID);
        Long from = parseId(headers.get(PeerHeaders.FROM));
        Long to = parseId(headers.get(PeerHeaders.TO));
        Status refusal = null;
        if (theirCluster == null || from == null || to == null) {
            refusal = Status.INVALID_ARGUMENT.withDescription("missing or malformed kvorum-cluster-id, "
                    + "kvorum-from or kvorum-to header: this port only serves Kvorum peers (node "
                    + selfId + " of cluster '" + clusterId + "')");
        } else if (!theirCluster.equals(clusterId)) {
            refusal = Status.FAILED_PRECONDITION.withDescription("node " + Long.toUnsignedString(from)
                    + " of cluster '" + theirCluster + "' reached node " + selfId + " of cluster '"
                    + clusterId + "': refusing a peer of another cluster; check both nodes' cluster id "
                    + "and peer addresses");
        } else if (to != selfId) {
            refusal = Status.FAILED_PRECONDITION.withDescription("node " + Long.toUnsignedString(from)
                    + " dialled node " + Long.toUnsignedString(to) + " but reached node " + selfId
                    + " of cluster '" + clusterId + "': its peer address for node "
                    + Long.toUnsignedString(to) + " is wrong");
        } else if (from == selfId) {
            refusal = Status.FAILED_PRECONDITION.withDescription("node " + selfId
                    + " dialled itself: two nodes share id " + selfId + " or an address is wrong");
        } else if (tls) {
            refusal = certificateRefusal(call, from);
        }
        if (refusal != null) {
            LOG.warn("refused a peer call from {}: {}", call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                    refusal.getDescription());
            call.close(refusal, new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, from), call, headers, next);
    }

    /**
     * Null if the TLS session's client certificate names node {@code from}, else the refusal.
     * The chain was already checked against the cluster CA during the handshake.
     */
    private Status certificateRefusal(ServerCall<?, ?> call, long from) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        String wanted = CertNames.nodeName(from);
        List<String> names = List.of();
        try {
            if (session != null && session.getPeerCertificates().length > 0
                    && session.getPeerCertificates()[0] instanceof X509Certificate c) {
                names = CertNames.names(c);
            }
        } catch (SSLPeerUnverifiedException e) {
            names = List.of();
        }
        if (names.contains(wanted)) {
            return null;
        }
        return Status.PERMISSION_DENIED.withDescription("a peer claims to be node " + Long.toUnsignedString(from)
                + " but its certificate names " + (names.isEmpty() ? "nothing" : names) + ", not " + wanted
                + ": refusing it (node " + selfId + " of cluster '" + clusterId + "')");
    }

    private static Long parseId(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
