package io.kvorum.client.it;

import io.grpc.ManagedChannel;
import io.kvorum.client.ChannelFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A channel factory whose channels the test can cut at once, as if the client process froze or
 * its network died: keep-alives stop, calls fail, and the cluster expires its session.
 */
final class CuttableChannels implements ChannelFactory {
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    @Override
    public ManagedChannel create(String address) {
        ManagedChannel c = io.grpc.Grpc.newChannelBuilder(cut ? "127.0.0.1:1" : address,
                io.grpc.InsecureChannelCredentials.create()).build();
        channels.add(c);
        return c;
    }

    /** Every channel dies now; any made later lead nowhere. */
    void cut() {
        cut = true;
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
    }
}
