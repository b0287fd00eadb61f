package io.kvorum.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.proto.peer.v1.RaftBatch;
import io.kvorum.proto.peer.v1.RaftMessage;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MessageCodecTest {

    /** Every field set to something distinct, so a field the codec forgets shows up. */
    private static Message full(MessageType type) {
        return Message.builder(type).from(3).to(5).term(7).logTerm(6).index(100).commit(99)
                .reject(true).rejectHint(42).context(-1L).contexts(List.of(11L, 12L, Long.MAX_VALUE))
                .entries(List.of(
                        Entry.normal(7, 101, "put /a 1".getBytes(StandardCharsets.UTF_8)),
                        new Entry(7, 102, EntryType.CONF_CHANGE, new byte[] {1, 2, 3}),
                        Entry.normal(7, 103, new byte[0])))
                .snapshot(new SnapshotMeta(90, 6, new ConfState(Set.of(1L, 3L, 5L), Set.of(9L))))
                .build();
    }

    private static Message overTheWire(Message m) throws Exception {
        byte[] wire = MessageCodec.encodeBatch(List.of(m)).toByteArray();
        return MessageCodec.decode(RaftBatch.parseFrom(wire).getMessages(0));
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyMessageTypeRoundTripsWithEveryField(MessageType type) throws Exception {
        Message m = full(type);
        assertEquals(m, overTheWire(m));
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyMessageTypeRoundTripsWithDefaults(MessageType type) throws Exception {
        Message m = Message.builder(type).from(1).to(2).build();
        Message back = overTheWire(m);
        assertEquals(m, back);
        assertNull(back.snapshot(), "an absent snapshot stays absent");
    }

    @Test
    void emptySnapshotMetaStaysPresent() throws Exception {
        Message m = Message.builder(MessageType.SNAPSHOT).from(1).to(2).snapshot(SnapshotMeta.EMPTY).build();
        assertEquals(SnapshotMeta.EMPTY, overTheWire(m).snapshot());
    }

    @Test
    void idsAndTermsUseTheFullUnsignedRange() throws Exception {
        Message m = Message.builder(MessageType.VOTE).from(Long.MAX_VALUE).to(1).term(Long.MAX_VALUE)
                .index(Long.MAX_VALUE - 1).context(Long.MIN_VALUE).build();
        assertEquals(m, overTheWire(m));
    }

    @Test
    void entryPayloadsAreWrappedNotCopiedOnEncode() {
        byte[] data = {1, 2, 3};
        RaftMessage p = MessageCodec.encode(Message.builder(MessageType.APPEND)
                .entries(List.of(Entry.normal(1, 1, data))).build());
        data[0] = 9; // never done for real: Entry forbids it; here it proves the wire form shares the array
        assertEquals(9, p.getEntries(0).getData().byteAt(0));
    }

    @Test
    void decodedPayloadsAreIndependentOfTheFrame() throws Exception {
        Message m = overTheWire(Message.builder(MessageType.APPEND)
                .entries(List.of(Entry.normal(1, 1, new byte[] {4, 5}))).build());
        assertArrayEquals(new byte[] {4, 5}, m.entries().get(0).data());
    }

    @Test
    void unknownTypesAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> MessageCodec.decode(RaftMessage.newBuilder().setTypeValue(999).build()));
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.decode(RaftMessage.getDefaultInstance()));
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.decode(RaftMessage.newBuilder()
                .setType(io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_APPEND)
                .addEntries(io.kvorum.proto.peer.v1.Entry.newBuilder().setIndex(1)).build()));
    }

    @Test
    void aMembershipNamingANodeTwiceIsRejected() {
        RaftMessage p = RaftMessage.newBuilder()
                .setType(io.kvorum.proto.peer.v1.MessageType.MESSAGE_TYPE_SNAPSHOT)
                .setSnapshot(io.kvorum.proto.peer.v1.SnapshotMeta.newBuilder()
                        .setConf(io.kvorum.proto.peer.v1.ConfState.newBuilder().addVoters(1).addLearners(1)))
                .build();
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.decode(p));
    }

    @Test
    void aBatchKeepsOrder() throws Exception {
        List<Message> ms = List.of(full(MessageType.APPEND), full(MessageType.HEARTBEAT), full(MessageType.PROPOSE));
        RaftBatch b = RaftBatch.parseFrom(MessageCodec.encodeBatch(ms).toByteArray());
        assertEquals(ms, b.getMessagesList().stream().map(MessageCodec::decode).toList());
    }
}
