package io.kvorum.client.fake;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Several {@link FakeNode}s over one {@link FakeState}. */
public final class FakeCluster implements AutoCloseable {
    public final FakeState state = new FakeState();
    public final List<FakeNode> nodes = new ArrayList<>();

    public FakeCluster(int size) throws IOException {
        for (int i = 1; i <= size; i++) {
            nodes.add(new FakeNode(i, state));
        }
    }

    public FakeNode node(int i) {
        return nodes.get(i);
    }

    public String[] addresses() {
        return nodes.stream().map(FakeNode::address).toArray(String[]::new);
    }

    public void stopAll() throws InterruptedException {
        for (FakeNode n : nodes) {
            n.stop();
        }
    }

    public void startAll() throws IOException {
        for (FakeNode n : nodes) {
            n.start();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopAll();
    }
}
