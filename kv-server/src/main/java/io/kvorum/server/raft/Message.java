package io.kvorum.server.raft;

import java.util.List;
import java.util.Objects;

/**
 * A message between cores. Fields a type does not use are zero, empty or null. Built with
 * {@link #builder(MessageType)}; immutable once built.
 *
 * @param term       the sender's term (0 for PROPOSE and READ_INDEX, which are term-free)
 * @param logTerm    APPEND: term of the entry at {@code index}; votes: term of the last entry;
 *                   rejected APPEND_RESPONSE: term of the entry at {@code rejectHint}
 * @param index      APPEND: index preceding the entries; APPEND_RESPONSE: last matching
 *                   index, or the rejected index; votes: index of the last entry;
 *                   READ_INDEX_RESPONSE: the read index
 * @param commit     the leader's commit index (APPEND, HEARTBEAT)
 * @param reject     a refused vote, append or read
 * @param rejectHint a rejecting follower's guess of where the logs may match
 * @param context    HEARTBEAT and its response: the ReadIndex round being confirmed
 * @param contexts   READ_INDEX and its response: the callers' read ids
 * @param snapshot   SNAPSHOT: what to install
 */
public record Message(MessageType type, long from, long to, long term, long logTerm, long index,
                      List<Entry> entries, long commit, boolean reject, long rejectHint,
                      long context, List<Long> contexts, SnapshotMeta snapshot) {

    public Message {
        Objects.requireNonNull(type, "type");
        entries = entries == null ? List.of() : entries;
        contexts = contexts == null ? List.of() : contexts;
    }

    public static Builder builder(MessageType type) {
        return new Builder(type);
    }

    /** A copy of this message addressed to {@code newTo}. */
    public Message withTo(long newTo) {
        return new Message(type, from, newTo, term, logTerm, index, entries, commit, reject,
                rejectHint, context, contexts, snapshot);
    }

    /** A copy of this message carrying snapshot metadata {@code newSnapshot}. */
    public Message withSnapshot(SnapshotMeta newSnapshot) {
        return new Message(type, from, to, term, logTerm, index, entries, commit, reject,
                rejectHint, context, contexts, newSnapshot);
    }

    /** Bytes of entry payload this message carries. */
    public long entryBytes() {
        long n = 0;
        for (Entry e : entries) {
            n += e.sizeBytes();
        }
        return n;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(type.name()).append(' ').append(from).append("->").append(to)
                .append(" t").append(term);
        if (logTerm != 0 || index != 0) {
            b.append(" log=").append(index).append('@').append(logTerm);
        }
        if (!entries.isEmpty()) {
            b.append(" ents=").append(entries.get(0).index()).append("..")
                    .append(entries.get(entries.size() - 1).index());
        }
        if (commit != 0) {
            b.append(" commit=").append(commit);
        }
        if (reject) {
            b.append(" REJECT hint=").append(rejectHint);
        }
        if (context != 0) {
            b.append(" ctx=").append(context);
        }
        if (!contexts.isEmpty()) {
            b.append(" ctxs=").append(contexts.size());
        }
        if (snapshot != null) {
            b.append(" snap=").append(snapshot.index()).append('@').append(snapshot.term());
        }
        return b.toString();
    }

    /** Mutable builder; fields default to zero. */
    public static final class Builder {
        private final MessageType type;
        private long from;
        private long to;
        private long term;
        private long logTerm;
        private long index;
        private List<Entry> entries = List.of();
        private long commit;
        private boolean reject;
        private long rejectHint;
        private long context;
        private List<Long> contexts = List.of();
        private SnapshotMeta snapshot;

        private Builder(MessageType type) {
            this.type = type;
        }

        public Builder from(long v) { from = v; return this; }
        public Builder to(long v) { to = v; return this; }
        public Builder term(long v) { term = v; return this; }
        public Builder logTerm(long v) { logTerm = v; return this; }
        public Builder index(long v) { index = v; return this; }
        public Builder entries(List<Entry> v) { entries = v; return this; }
        public Builder commit(long v) { commit = v; return this; }
        public Builder reject(boolean v) { reject = v; return this; }
        public Builder rejectHint(long v) { rejectHint = v; return this; }
        public Builder context(long v) { context = v; return this; }
        public Builder contexts(List<Long> v) { contexts = v; return this; }
        public Builder snapshot(SnapshotMeta v) { snapshot = v; return this; }

        public Message build() {
            return new Message(type, from, to, term, logTerm, index, entries, commit, reject,
                    rejectHint, context, contexts, snapshot);
        }
    }
}
