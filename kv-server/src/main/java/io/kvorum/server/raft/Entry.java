package io.kvorum.server.raft;

import java.util.Objects;

/**
 * One log entry. {@code data} is never copied by the core: callers must not mutate it after
 * handing it over.
 */
public record Entry(long term, long index, EntryType type, byte[] data) {
    private static final byte[] EMPTY = new byte[0];

    public Entry {
        Objects.requireNonNull(type, "type");
        if (data == null) {
            data = EMPTY;
        }
    }

    public static Entry normal(long term, long index, byte[] data) {
        return new Entry(term, index, EntryType.NORMAL, data);
    }

    /** Bytes this entry counts for batching and back-pressure limits. */
    public long sizeBytes() {
        return data.length + 24L;
    }

    /** A copy at another position, used when the leader assigns term and index to a proposal. */
    public Entry at(long newTerm, long newIndex) {
        return new Entry(newTerm, newIndex, type, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.term == term && e.index == index && e.type == type
                && java.util.Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, index, type, java.util.Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Entry{" + index + "@" + term + (type == EntryType.NORMAL ? "" : " " + type)
                + " " + data.length + "B}";
    }
}
