package io.kvorum.server.node;

import io.kvorum.server.storage.NodeStore;
import io.kvorum.server.storage.StateBatch;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Members' peer addresses, kept in the state column family under a reserved prefix (a zero
 * byte, which no state-machine key starts with) so they are written in the same batch as the
 * applied index of the conf change that set them, and travel inside snapshots.
 */
final class PeerAddressBook {
    private static final byte[] PREFIX = "\0peer/".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "\0peer0".getBytes(StandardCharsets.UTF_8);

    private PeerAddressBook() {
    }

    static void put(StateBatch batch, long id, String address) {
        batch.put(key(id), address.getBytes(StandardCharsets.UTF_8));
    }

    static void remove(StateBatch batch, long id) {
        batch.delete(key(id));
    }

    static Map<Long, String> load(NodeStore store) {
        Map<Long, String> out = new TreeMap<>();
        store.forEachInRange(PREFIX, END, Integer.MAX_VALUE, (k, v) -> {
            String id = new String(k, PREFIX.length, k.length - PREFIX.length, StandardCharsets.UTF_8);
            out.put(Long.parseLong(id), new String(v, StandardCharsets.UTF_8));
        });
        return out;
    }

    private static byte[] key(long id) {
        return ("\0peer/" + id).getBytes(StandardCharsets.UTF_8);
    }
}
