package io.kvorum.server.transport;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Transports on loopback, ephemeral ports, all closed by {@link #close()}. */
final class Nodes implements AutoCloseable {
    static final String CLUSTER = "test-cluster";

    final Map<Long, PeerTransport> transports = new HashMap<>();
    final Map<Long, Inbox> inboxes = new HashMap<>();
    private final List<PeerTransport> all = new ArrayList<>();
    private final Path root;

    Nodes(Path root) {
        this.root = root;
    }

    PeerTransport start(long id) {
        return start(id, CLUSTER, 0, TransportConfig.defaults());
    }

    PeerTransport start(long id, String cluster, int port, TransportConfig config) {
        return start(id, cluster, new InetSocketAddress("127.0.0.1", port), config);
    }

    /** Starts node {@code id} listening on {@code listen}, a loopback address. */
    PeerTransport start(long id, String cluster, InetSocketAddress listen, TransportConfig config) {
        Inbox inbox = new Inbox();
        PeerTransport t = new PeerTransport(id, cluster, listen, inbox,
                new DirSnapshotStore(root.resolve("node-" + id)), config);
        all.add(t);
        try {
            t.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        transports.put(id, t);
        inboxes.put(id, inbox);
        return t;
    }

    /** Tells every node about every other node. */
    void connectAll() {
        Map<Long, String> addresses = new HashMap<>();
        transports.forEach((id, t) -> addresses.put(id, "127.0.0.1:" + t.port()));
        transports.values().forEach(t -> t.setPeers(addresses));
    }

    PeerTransport get(long id) {
        return transports.get(id);
    }

    Inbox inbox(long id) {
        return inboxes.get(id);
    }

    DirSnapshotStore store(long id) {
        return new DirSnapshotStore(root.resolve("node-" + id));
    }

    @Override
    public void close() {
        for (PeerTransport t : all) {
            t.close();
        }
    }

    static Message append(long from, long to, long index, int payloadBytes) {
        byte[] data = new byte[payloadBytes];
        java.util.Arrays.fill(data, (byte) index);
        return Message.builder(MessageType.APPEND).from(from).to(to).term(1).index(index - 1).logTerm(1)
                .entries(List.of(Entry.normal(1, index, data))).commit(index - 1).build();
    }

    static Message heartbeat(long from, long to, long context) {
        return Message.builder(MessageType.HEARTBEAT).from(from).to(to).term(1).context(context).build();
    }
}
