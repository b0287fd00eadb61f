package io.kvorum.server.api;

import java.util.Objects;

/**
 * What a {@link ClientServer} is given besides its node and addresses, each with a default that
 * turns it off: the metrics it reports to, the limits of what it takes on at once, its space
 * quota, its security (TLS and authentication), and its placement (datacenter labels and the
 * leader's preferred datacenters).
 *
 * @param metrics   where the client port reports; {@link ClientMetrics#NONE} for nowhere
 * @param admission in-flight requests and streams per connection the node admits
 * @param quota     the space quota above which writes that add data are refused
 * @param security  TLS and the authentication settings of the client port
 * @param placement where this node runs and where the leader should ({@link Placement#NONE}: unlabelled)
 */
public record ClientServerParts(ClientMetrics metrics, AdmissionLimits admission, SpaceQuota quota,
                                ClientSecurity security, Placement placement) {
    public ClientServerParts {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(placement, "placement");
    }

    /** No metrics, default admission limits, no quota, plaintext, no placement. */
    public static ClientServerParts defaults() {
        return new ClientServerParts(ClientMetrics.NONE, AdmissionLimits.defaults(), new SpaceQuota(0, () -> 0),
                ClientSecurity.plaintext(), Placement.NONE);
    }

    public ClientServerParts withMetrics(ClientMetrics m) {
        return new ClientServerParts(m, admission, quota, security, placement);
    }

    public ClientServerParts withAdmission(AdmissionLimits a) {
        return new ClientServerParts(metrics, a, quota, security, placement);
    }

    public ClientServerParts withQuota(SpaceQuota q) {
        return new ClientServerParts(metrics, admission, q, security, placement);
    }

    public ClientServerParts withSecurity(ClientSecurity s) {
        return new ClientServerParts(metrics, admission, quota, s, placement);
    }

    public ClientServerParts withPlacement(Placement p) {
        return new ClientServerParts(metrics, admission, quota, security, p);
    }
}
