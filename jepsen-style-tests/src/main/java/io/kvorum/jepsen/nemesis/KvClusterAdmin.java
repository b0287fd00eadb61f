package io.kvorum.jepsen.nemesis;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.MemberInfo;
import io.kvorum.client.MembershipChangeException;
import java.time.Duration;

/**
 * {@link ClusterAdmin} over kv-client's {@code cluster()} API. Membership calls are not
 * deduplicated by the server, so kv-client sends them again only when they surely were not
 * acted on; a caller that gets an error must look at the membership to learn what happened
 * (the membership nemesis does).
 */
public final class KvClusterAdmin implements ClusterAdmin {
    private final KvorumClient client;

    public KvClusterAdmin(KvorumClient client) {
        this.client = client;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public void transferLeadership(long to) {
        client.cluster().transferLeadership(to);
    }

    @Override
    public void removeMember(long id) {
        client.cluster().removeMember(id);
    }

    @Override
    public void addLearner(long id, String peerAddress) {
        client.cluster().addMember(id, peerAddress);
    }

    @Override
    public void promote(long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                client.cluster().promoteMember(id);
                return;
            } catch (MembershipChangeException e) {
                // Not caught up yet: the leader refuses rather than wait on a voter that lags.
                if (e.reason() != KvorumException.Reason.NOT_LEARNER_CAUGHT_UP || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(200);
        }
    }

    @Override
    public boolean isLearner(long id) {
        for (MemberInfo m : client.cluster().members().members()) {
            if (m.id() == id) {
                return m.learner();
            }
        }
        return false;
    }
}
