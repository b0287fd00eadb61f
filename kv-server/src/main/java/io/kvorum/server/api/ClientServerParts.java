package io.kvorum.server.api;

import java.util.Objects;

/**
 * What a {@link ClientServer} is given besides its node and addresses, each with a default that
 * turns it off: the metrics it reports to, the limits of what it takes on at once, its space
 * quota, and its security (TLS and authentication).
 *
 * @param metrics   where the client port reports; {@link ClientMetrics#NONE} for nowhere
 * @param admission in-flight requests and streams per connection the node admits
 * @param quota     the space quota above which writes that add data are refused
 * @param security  TLS and the authentication settings of the client port
 */
public record ClientServerParts(ClientMetrics metrics, AdmissionLimits admission, SpaceQuota quota,
                                ClientSecurity security) {
    public ClientServerParts {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(security, "security");
    }

    /** No metrics, default admission limits, no quota, plaintext. */
    public static ClientServerParts defaults() {
        return new ClientServerParts(ClientMetrics.NONE, AdmissionLimits.defaults(), new SpaceQuota(0, () -> 0),
                ClientSecurity.plaintext());
    }

    public ClientServerParts withMetrics(ClientMetrics m) {
        return new ClientServerParts(m, admission, quota, security);
    }

    public ClientServerParts withAdmission(AdmissionLimits a) {
        return new ClientServerParts(metrics, a, quota, security);
    }

    public ClientServerParts withQuota(SpaceQuota q) {
        return new ClientServerParts(metrics, admission, q, security);
    }

    public ClientServerParts withSecurity(ClientSecurity s) {
        return new ClientServerParts(metrics, admission, quota, s);
    }
}
