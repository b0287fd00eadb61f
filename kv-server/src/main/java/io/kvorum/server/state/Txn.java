package io.kvorum.server.state;

import io.kvorum.proto.v1.Event;
import io.kvorum.server.storage.StateReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The writes of one command, kept apart until it succeeds: a command either applies whole
 * (then {@link #commit()} hands every write to the batch, in key order, and runs the in-memory
 * updates registered with {@link #onCommit}) or fails and is dropped with nothing written.
 * That is what makes multi all-or-none, and every other command too.
 *
 * <p>It also carries what every operation of the command shares: the revision the command
 * will have if it changes the tree ({@link #revision}), its time, its log index, its events
 * and the containers that may have lost their last child.
 */
final class Txn {
    private static final Znode GONE = new Znode();

    final long revision;
    final long previousRevision;
    final long timeMillis;
    final long index;
    /** The user the command was proposed for (Command.caller); empty for none. */
    final String caller;
    final List<Event> events = new ArrayList<>(4);
    /** Containers whose last child this command deleted: checked once all operations ran. */
    final List<String> emptiedContainers = new ArrayList<>(0);

    private final BatchOverlay base;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    /** Decoded nodes this command read or wrote, so an operation sees the earlier ones' changes. */
    private final Map<String, Znode> nodes = new HashMap<>();
    private final List<Runnable> onCommit = new ArrayList<>(0);

    Txn(BatchOverlay base, long previousRevision, long timeMillis, long index, String caller) {
        this.base = base;
        this.caller = caller;
        this.previousRevision = previousRevision;
        this.revision = previousRevision + 1;
        this.timeMillis = timeMillis;
        this.index = index;
    }

    /** The revision an answer reports: this command's if it changed the tree, else the current one. */
    long resultRevision() {
        return events.isEmpty() ? previousRevision : revision;
    }

    /** The node at {@code path} as this command sees it, or null. Do not mutate: copy it. */
    Znode node(String path) {
        Znode z = nodes.get(path);
        if (z != null) {
            return z == GONE ? null : z;
        }
        byte[] v = get(Keys.node(path));
        if (v == null) {
            z = path.equals(Paths.ROOT) ? Znode.emptyRoot() : null;
        } else {
            z = Znode.decode(v);
        }
        nodes.put(path, z == null ? GONE : z);
        return z;
    }

    void putNode(String path, Znode z) {
        nodes.put(path, z);
        put(Keys.node(path), z.encode());
    }

    void removeNode(String path) {
        nodes.put(path, GONE);
        delete(Keys.node(path));
    }

    byte[] get(byte[] key) {
        byte[] v = writes.get(key);
        if (v != null) {
            return v == BatchOverlay.DELETED ? null : v;
        }
        return base.get(key);
    }

    void put(byte[] key, byte[] value) {
        writes.put(key, value);
    }

    void delete(byte[] key) {
        writes.put(key, BatchOverlay.DELETED);
    }

    /** The live keys with {@code prefix}, in order, as this command sees them. */
    List<byte[]> keysWithPrefix(byte[] prefix) {
        TreeMap<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
        base.collectPrefix(prefix, merged);
        byte[] end = StateReader.prefixEnd(prefix);
        (end == null ? writes.tailMap(prefix, true) : writes.subMap(prefix, true, end, false))
                .forEach(BatchOverlay.overrideInto(merged));
        return new ArrayList<>(merged.keySet());
    }

    void event(Event.Builder e) {
        events.add(e.setRevision(revision).build());
    }

    void onCommit(Runnable r) {
        onCommit.add(r);
    }

    /** Hands the writes to the batch and runs the in-memory updates. */
    void commit() {
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            if (w.getValue() == BatchOverlay.DELETED) {
                base.delete(w.getKey());
            } else {
                base.put(w.getKey(), w.getValue());
            }
        }
        for (Runnable r : onCommit) {
            r.run();
        }
    }
}
