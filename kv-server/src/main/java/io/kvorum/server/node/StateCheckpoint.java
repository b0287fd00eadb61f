package io.kvorum.server.node;

import io.kvorum.server.storage.CheckpointExport;
import java.io.IOException;
import java.util.Set;

/**
 * A checkpoint of this node's state machine data at one applied index, opened read-only, with
 * what describes it: the cluster, the applied index and its term, the membership in force
 * there. Made by {@link LocalStorage#checkpoint()} for backups; closing it deletes it.
 */
public final class StateCheckpoint implements AutoCloseable {
    private final CheckpointExport export;

    StateCheckpoint(CheckpointExport export) {
        this.export = export;
    }

    /** Something that takes the state's entries one by one and may fail with an IOException. */
    @FunctionalInterface
    public interface EntryVisitor {
        void accept(byte[] key, byte[] value) throws IOException;
    }

    public String clusterId() {
        return export.clusterId();
    }

    public long appliedIndex() {
        return export.appliedIndex();
    }

    /** The term of the entry at {@link #appliedIndex()}. */
    public long appliedTerm() {
        return export.appliedTerm();
    }

    /** The voting members in force at {@link #appliedIndex()}. */
    public Set<Long> voters() {
        return export.conf().voters();
    }

    /** The learners in force at {@link #appliedIndex()}. */
    public Set<Long> learners() {
        return export.conf().learners();
    }

    /** The state value at {@code key}, or null. */
    public byte[] get(byte[] key) {
        return export.get(key);
    }

    /** Visits every state entry in key order. */
    public void forEachState(EntryVisitor visitor) throws IOException {
        export.forEachState(visitor::accept);
    }

    @Override
    public void close() {
        export.close();
    }
}
