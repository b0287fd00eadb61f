package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.SnapshotMeta;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small builders shared by the storage tests. */
final class Fixtures {
    static final String CLUSTER = "test-cluster";
    static final ConfState CONF = ConfState.ofVoters(1L, 2L, 3L);

    private Fixtures() {
    }

    static NodeStore open(Path dir) {
        return NodeStore.open(dir, CLUSTER, 1, CONF);
    }

    static NodeStore open(Path dir, long nodeId) {
        return NodeStore.open(dir, CLUSTER, nodeId, CONF);
    }

    /** Entries {@code from..to} inclusive, all at {@code term}, each carrying "e<index>t<term>". */
    static List<Entry> ents(long from, long to, long term) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(Entry.normal(term, i, bytes("e" + i + "t" + term)));
        }
        return out;
    }

    static Ready ready(HardState hs, List<Entry> entries) {
        return ready(hs, entries, null);
    }

    static Ready ready(HardState hs, List<Entry> entries, SnapshotMeta snap) {
        return new Ready(null, hs, entries, snap, List.of(), List.of(), List.of(), List.of());
    }

    static Ready entriesOnly(List<Entry> entries) {
        return ready(null, entries, null);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Applies up to {@code index} with one put of "k<index>" = "v<index>". */
    static void applyOne(NodeStore s, long index) {
        s.applyBatch(index, s.appliedConfState(), b -> b.put(bytes("k" + index), bytes("v" + index)));
    }
}
