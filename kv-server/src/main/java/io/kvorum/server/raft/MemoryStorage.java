package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link RaftStorage} in memory, for tests and simulation. Whatever was written here counts
 * as durable: a simulated crash keeps this object and drops the core.
 *
 * <p>Invariant: {@code ents.get(0)} is a dummy entry at the snapshot's index and term, so
 * {@code firstIndex() == ents.get(0).index() + 1}.
 */
public final class MemoryStorage implements RaftStorage {
    private HardState hardState = HardState.EMPTY;
    private ConfState confState;
    private SnapshotMeta snapshot = SnapshotMeta.EMPTY;
    private final ArrayList<Entry> ents = new ArrayList<>();

    public MemoryStorage(ConfState initialConf) {
        this.confState = initialConf;
        this.snapshot = new SnapshotMeta(0, 0, initialConf);
        ents.add(Entry.normal(0, 0, null));
    }

    /**
     * Storage of a founding member: the log starts with one committed ADD_VOTER entry per
     * initial voter at term 1 (see {@link Bootstrap}), so members that join later learn the
     * whole membership from the log, like etcd's bootstrap.
     */
    public static MemoryStorage bootstrap(java.util.Collection<Long> voters) {
        MemoryStorage s = new MemoryStorage(ConfState.EMPTY);
        List<Entry> ents = Bootstrap.entries(voters);
        s.append(ents);
        s.setHardState(Bootstrap.hardState(ents));
        return s;
    }

    /** Storage of a node that will join an existing cluster: empty, no membership. */
    public static MemoryStorage joining() {
        return new MemoryStorage(ConfState.EMPTY);
    }

    @Override
    public InitialState initialState() {
        return new InitialState(hardState, confState);
    }

    public void setHardState(HardState hs) {
        this.hardState = hs;
    }

    /** Records the membership as of the applied index (persisted with the applied state). */
    public void setConfState(ConfState cs) {
        this.confState = cs;
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
        long offset = ents.get(0).index();
        if (lo <= offset) {
            throw new CompactedException(lo, offset + 1);
        }
        if (hi > lastIndex() + 1) {
            throw new IllegalArgumentException("entries [" + lo + "," + hi + ") beyond last index " + lastIndex());
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = ents.get((int) (i - offset));
            bytes += e.sizeBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public long term(long index) {
        long offset = ents.get(0).index();
        if (index < offset) {
            throw new CompactedException(index, offset + 1);
        }
        if (index > lastIndex()) {
            throw new IllegalArgumentException("index " + index + " beyond last index " + lastIndex());
        }
        return ents.get((int) (index - offset)).term();
    }

    @Override
    public long firstIndex() {
        return ents.get(0).index() + 1;
    }

    @Override
    public long lastIndex() {
        return ents.get(0).index() + ents.size() - 1;
    }

    @Override
    public SnapshotMeta snapshot() {
        return snapshot;
    }

    /**
     * Appends entries, replacing any stored entries from the first new index on. Entries
     * already compacted are skipped.
     */
    public void append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = firstIndex();
        long last = entries.get(entries.size() - 1).index();
        if (last < first) {
            return;
        }
        int from = 0;
        if (entries.get(0).index() < first) {
            from = (int) (first - entries.get(0).index());
        }
        long start = entries.get(from).index();
        long offset = ents.get(0).index();
        if (start > lastIndex() + 1) {
            throw new IllegalArgumentException("gap: appending at " + start + " after last index " + lastIndex());
        }
        while (ents.size() > start - offset) {
            ents.remove(ents.size() - 1);
        }
        ents.addAll(entries.subList(from, entries.size()));
    }

    /** Replaces the whole log with a snapshot received from the leader. */
    public void applySnapshot(SnapshotMeta meta) {
        if (meta.index() <= snapshot.index()) {
            throw new IllegalArgumentException("snapshot " + meta.index() + " is not newer than " + snapshot.index());
        }
        snapshot = meta;
        confState = meta.conf();
        ents.clear();
        ents.add(Entry.normal(meta.term(), meta.index(), null));
    }

    /**
     * Records that the state machine took a snapshot at {@code index} (which must be applied,
     * hence present in the log) and drops the log before it.
     */
    public void createSnapshotAndCompact(long index, ConfState conf) {
        if (index <= snapshot.index()) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalArgumentException("snapshot index " + index + " beyond last index " + lastIndex());
        }
        snapshot = new SnapshotMeta(index, term(index), conf);
        long offset = ents.get(0).index();
        List<Entry> keep = new ArrayList<>(ents.subList((int) (index - offset), ents.size()));
        Entry head = keep.get(0);
        keep.set(0, Entry.normal(head.term(), head.index(), null));
        ents.clear();
        ents.addAll(keep);
    }
}
