package io.kvorum.server.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.kvorum.proto.peer.v1.RaftBatch;
import io.kvorum.proto.peer.v1.RaftMessage;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Converts raft messages to their wire form and back, field for field. Stateless.
 *
 * <p>Entry payloads are the bulk of the traffic, so they are copied as little as possible:
 * encoding wraps the entry's array without copying ({@link Entry} promises nobody mutates it
 * after it was handed over, and protobuf serialises it before {@code onNext} returns), and
 * decoding copies each payload exactly once, out of the parsed frame into the entry's own
 * array.
 */
public final class MessageCodec {
    private static final byte[] EMPTY = new byte[0];

    private MessageCodec() {
    }

    /** The wire form of {@code messages}, in order, as one frame. */
    public static RaftBatch encodeBatch(List<Message> messages) {
        RaftBatch.Builder b = RaftBatch.newBuilder();
        for (Message m : messages) {
            b.addMessages(encode(m));
        }
        return b.build();
    }

    /** The wire form of one message. */
    public static RaftMessage encode(Message m) {
        RaftMessage.Builder b = RaftMessage.newBuilder()
                .setType(encodeType(m.type()))
                .setFrom(m.from())
                .setTo(m.to())
                .setTerm(m.term())
                .setLogTerm(m.logTerm())
                .setIndex(m.index())
                .setCommit(m.commit())
                .setReject(m.reject())
                .setRejectHint(m.rejectHint())
                .setContext(m.context())
                .addAllContexts(m.contexts());
        for (Entry e : m.entries()) {
            io.kvorum.proto.peer.v1.Entry.Builder eb = io.kvorum.proto.peer.v1.Entry.newBuilder()
                    .setTerm(e.term())
                    .setIndex(e.index())
                    .setType(encodeEntryType(e.type()));
            if (e.data().length > 0) {
                eb.setData(UnsafeByteOperations.unsafeWrap(e.data()));
            }
            b.addEntries(eb);
        }
        if (m.snapshot() != null) {
            b.setSnapshot(encodeMeta(m.snapshot()));
        }
        return b.build();
    }

    /**
     * The raft message {@code p} describes.
     *
     * @throws IllegalArgumentException for an unknown message or entry type, or a membership
     *                                  that names a node as both voter and learner
     */
    public static Message decode(RaftMessage p) {
        List<Entry> entries;
        if (p.getEntriesCount() == 0) {
            entries = List.of();
        } else {
            entries = new ArrayList<>(p.getEntriesCount());
            for (io.kvorum.proto.peer.v1.Entry e : p.getEntriesList()) {
                ByteString data = e.getData();
                entries.add(new Entry(e.getTerm(), e.getIndex(), decodeEntryType(e.getType()),
                        data.isEmpty() ? EMPTY : data.toByteArray()));
            }
        }
        return new Message(decodeType(p.getType()), p.getFrom(), p.getTo(), p.getTerm(),
                p.getLogTerm(), p.getIndex(), entries, p.getCommit(), p.getReject(),
                p.getRejectHint(), p.getContext(),
                // Protobuf's list is immutable once the message is built: no need to copy it.
                p.getContextsCount() == 0 ? List.of() : p.getContextsList(),
                p.hasSnapshot() ? decodeMeta(p.getSnapshot()) : null);
    }

    /** The wire form of a snapshot's metadata. */
    public static io.kvorum.proto.peer.v1.SnapshotMeta encodeMeta(SnapshotMeta meta) {
        return io.kvorum.proto.peer.v1.SnapshotMeta.newBuilder()
                .setIndex(meta.index())
                .setTerm(meta.term())
                .setConf(io.kvorum.proto.peer.v1.ConfState.newBuilder()
                        .addAllVoters(meta.conf().voters())
                        .addAllLearners(meta.conf().learners()))
                .build();
    }

    /** The snapshot metadata {@code p} describes. */
    public static SnapshotMeta decodeMeta(io.kvorum.proto.peer.v1.SnapshotMeta p) {
        return new SnapshotMeta(p.getIndex(), p.getTerm(), new ConfState(
                Set.copyOf(p.getConf().getVotersList()), Set.copyOf(p.getConf().getLearnersList())));
    }

    static io.kvorum.proto.peer.v1.MessageType encodeType(MessageType t) {
        return switch (t) {
            case APPEND -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_APPEND;
            case APPEND_RESPONSE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_APPEND_RESPONSE;
            case HEARTBEAT -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_HEARTBEAT;
            case HEARTBEAT_RESPONSE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_HEARTBEAT_RESPONSE;
            case PRE_VOTE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_PRE_VOTE;
            case PRE_VOTE_RESPONSE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_PRE_VOTE_RESPONSE;
            case VOTE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_VOTE;
            case VOTE_RESPONSE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_VOTE_RESPONSE;
            case SNAPSHOT -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_SNAPSHOT;
            case TIMEOUT_NOW -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_TIMEOUT_NOW;
            case PROPOSE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_PROPOSE;
            case READ_INDEX -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_READ_INDEX;
            case READ_INDEX_RESPONSE -> io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_READ_INDEX_RESPONSE;
        };
    }

    static MessageType decodeType(io.kvorum.proto.peer.v1.MessageType t) {
        return switch (t) {
            case MESSAGE_TYPE_APPEND -> MessageType.APPEND;
            case MESSAGE_TYPE_APPEND_RESPONSE -> MessageType.APPEND_RESPONSE;
            case MESSAGE_TYPE_HEARTBEAT -> MessageType.HEARTBEAT;
            case MESSAGE_TYPE_HEARTBEAT_RESPONSE -> MessageType.HEARTBEAT_RESPONSE;
            case MESSAGE_TYPE_PRE_VOTE -> MessageType.PRE_VOTE;
            case MESSAGE_TYPE_PRE_VOTE_RESPONSE -> MessageType.PRE_VOTE_RESPONSE;
            case MESSAGE_TYPE_VOTE -> MessageType.VOTE;
            case MESSAGE_TYPE_VOTE_RESPONSE -> MessageType.VOTE_RESPONSE;
            case MESSAGE_TYPE_SNAPSHOT -> MessageType.SNAPSHOT;
            case MESSAGE_TYPE_TIMEOUT_NOW -> MessageType.TIMEOUT_NOW;
            case MESSAGE_TYPE_PROPOSE -> MessageType.PROPOSE;
            case MESSAGE_TYPE_READ_INDEX -> MessageType.READ_INDEX;
            case MESSAGE_TYPE_READ_INDEX_RESPONSE -> MessageType.READ_INDEX_RESPONSE;
            case MESSAGE_TYPE_UNSPECIFIED, UNRECOGNIZED ->
                    throw new IllegalArgumentException("unknown raft message type " + t);
        };
    }

    static io.kvorum.proto.peer.v1.EntryType encodeEntryType(EntryType t) {
        return switch (t) {
            case NORMAL -> io.kvorum.proto.peer.v1.EntryType.ENTRY_TYPE_NORMAL;
            case CONF_CHANGE -> io.kvorum.proto.peer.v1.EntryType.ENTRY_TYPE_CONF_CHANGE;
        };
    }

    static EntryType decodeEntryType(io.kvorum.proto.peer.v1.EntryType t) {
        return switch (t) {
            case ENTRY_TYPE_NORMAL -> EntryType.NORMAL;
            case ENTRY_TYPE_CONF_CHANGE -> EntryType.CONF_CHANGE;
            case ENTRY_TYPE_UNSPECIFIED, UNRECOGNIZED ->
                    throw new IllegalArgumentException("unknown raft entry type " + t);
        };
    }
}
