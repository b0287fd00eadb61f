package io.kvorum.server.transport;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** The metadata every peer call carries to say who is calling whom (see raft_peer.proto). */
final class PeerHeaders {
    static final Metadata.Key<String> CLUSTER_ID =
            Metadata.Key.of("kvorum-cluster-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> FROM = Metadata.Key.of("kvorum-from", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TO = Metadata.Key.of("kvorum-to", Metadata.ASCII_STRING_MARSHALLER);

    private PeerHeaders() {
    }

    /** Attaches the identity headers of calls from {@code from} to {@code to}. */
    static ClientInterceptor attach(String clusterId, long from, long to) {
        Metadata md = new Metadata();
        md.put(CLUSTER_ID, clusterId);
        md.put(FROM, Long.toUnsignedString(from));
        md.put(TO, Long.toUnsignedString(to));
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    /** Whether a cluster id can travel as an ASCII header value. */
    static boolean isValidClusterId(String clusterId) {
        if (clusterId == null || clusterId.isEmpty() || clusterId.length() > 256) {
            return false;
        }
        for (int i = 0; i < clusterId.length(); i++) {
            char c = clusterId.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
