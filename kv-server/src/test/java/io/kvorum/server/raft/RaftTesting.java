package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Small builders for logs, storages and messages, so tests state only what their rule needs. */
final class RaftTesting {
    private RaftTesting() {
    }

    static List<Long> ids(long... ids) {
        List<Long> out = new ArrayList<>();
        for (long id : ids) {
            out.add(id);
        }
        return out;
    }

    /** Normal entries at consecutive indexes from {@code firstIndex}, one per term given; payload "e<index>". */
    static List<Entry> entries(long firstIndex, long... terms) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            long index = firstIndex + i;
            out.add(Entry.normal(terms[i], index, ("e" + index).getBytes()));
        }
        return out;
    }

    /** {@code n} copies of {@code term}, to build runs of entries. */
    static long[] run(long term, int n) {
        long[] out = new long[n];
        Arrays.fill(out, term);
        return out;
    }

    static long[] concat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
    }

    static Entry confEntry(long term, long index, ConfChangeType type, long node) {
        return new Entry(term, index, EntryType.CONF_CHANGE, new ConfChange(type, node, null).encode());
    }

    /**
     * Storage of a founding member of {@code voters} (bootstrap entries 1..n at term 1) whose log
     * then continues with {@code extra}, with hard state {@code (term, vote, commit)}.
     */
    static MemoryStorage storage(Collection<Long> voters, List<Entry> extra, long term, long vote, long commit) {
        MemoryStorage s = MemoryStorage.bootstrap(voters);
        s.append(extra);
        s.setHardState(new HardState(term, vote, commit));
        return s;
    }

    /** As {@link #storage}, with normal entries of the given terms after the bootstrap entries. */
    static MemoryStorage storageWithTerms(Collection<Long> voters, long term, long commit, long... terms) {
        return storage(voters, entries(voters.size() + 1L, terms), term, 0, commit);
    }

    static Message.Builder msg(MessageType type, long from, long to, long term) {
        return Message.builder(type).from(from).to(to).term(term);
    }

    /** Every message of a Ready, sent at once or after persistence. */
    static List<Message> allMessages(Ready rd) {
        return Stream.concat(rd.messages().stream(), rd.messagesAfterPersist().stream()).toList();
    }

    static List<Message> ofType(List<Message> msgs, MessageType type) {
        return msgs.stream().filter(m -> m.type() == type).toList();
    }

    static Predicate<Message> type(MessageType t) {
        return m -> m.type() == t;
    }

    static Predicate<Message> from(long id) {
        return m -> m.from() == id;
    }

    static Predicate<Message> to(long id) {
        return m -> m.to() == id;
    }

    static Predicate<Message> between(long a, long b) {
        return m -> (m.from() == a && m.to() == b) || (m.from() == b && m.to() == a);
    }

    static byte[] bytes(String s) {
        return s.getBytes();
    }

    static byte[] payload(int n) {
        return new byte[n];
    }
}
