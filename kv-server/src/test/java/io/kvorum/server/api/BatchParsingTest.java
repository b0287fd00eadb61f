package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.SetRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The door reads a Batch item's id, timeout and call off the wire without parsing the call
 * (BatchParsing's scan); whatever the bytes, that must agree with what the generated parser
 * makes of the item, and the item parsed later must be the one the generated parser gives.
 */
class BatchParsingTest {
    private static final List<BatchItem> ITEMS = List.of(
            BatchItem.newBuilder().setId(1).setTimeoutMillis(5_000).setSet(SetRequest.newBuilder()
                    .setPath("/bench/k0000001").setData(ByteString.copyFrom(new byte[256])).setExpectedVersion(-1)).build(),
            BatchItem.newBuilder().setId(1L << 62).setCreate(CreateRequest.newBuilder().setPath("/a")).build(),
            BatchItem.newBuilder().setId(3).setTimeoutMillis(-1).setDelete(DeleteRequest.newBuilder().setPath("/b")).build(),
            BatchItem.newBuilder().setId(4).setMulti(MultiRequest.getDefaultInstance()).build(),
            BatchItem.newBuilder().setId(5).setGet(GetRequest.newBuilder().setPath("/c")).build(),
            BatchItem.newBuilder().setId(6).setExists(ExistsRequest.newBuilder().setPath("/d")).build(),
            BatchItem.newBuilder().setId(7).setTimeoutMillis(1).build(),
            BatchItem.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                    .addField(99, UnknownFieldSet.Field.newBuilder().addFixed64(1).addFixed32(2).addVarint(3)
                            .addLengthDelimited(ByteString.copyFromUtf8("x")).build()).build())
                    .setId(8).setGet(GetRequest.newBuilder().setPath("/e")).build());

    @Test
    void theScanReadsWhatTheGeneratedParserReads() throws Exception {
        BatchRequest.Builder b = BatchRequest.newBuilder();
        ITEMS.forEach(b::addItems);
        BatchParsing.Parsed p = BatchParsing.parse(b.build().toByteArray());
        assertNull(p.whole());
        assertEquals(ITEMS.size(), p.size());
        for (int i = 0; i < ITEMS.size(); i++) {
            BatchItem want = ITEMS.get(i);
            assertEquals(want.getId(), p.id(i));
            assertEquals(want.getTimeoutMillis(), p.timeoutMillis(i));
            assertEquals(want.getOpCase().getNumber(), p.op(i));
            assertEquals(want.hasGet() || want.hasExists(), p.isRead(i));
            assertNull(p.error(i));
            assertEquals(want, p.item(i));
        }
    }

    @Test
    void anItemsValueIsAViewOfTheMessageNotACopy() {
        byte[] data = "a value to find in the message".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] message = BatchRequest.newBuilder().addItems(BatchItem.newBuilder().setId(1)
                .setSet(SetRequest.newBuilder().setPath("/k").setData(ByteString.copyFrom(data)))).build().toByteArray();
        ByteString value = BatchParsing.parse(message).item(0).getSet().getData();
        assertEquals('a', value.byteAt(0));
        // The message's bytes are the request's own and never change once read; changing them
        // here is only the way to see that the value was not copied out of them.
        message[indexOf(message, data)] = 'A';
        assertEquals('A', value.byteAt(0));
    }

    private static int indexOf(byte[] in, byte[] what) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (java.util.Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void theLastOpOfAnItemWinsAsInAOneofAndFieldsMayComeInAnyOrder() throws Exception {
        ByteArrayOutputStream item = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(item);
        o.writeMessage(BatchItem.SET_FIELD_NUMBER, SetRequest.newBuilder().setPath("/x").build());
        o.writeInt64(BatchItem.TIMEOUT_MILLIS_FIELD_NUMBER, 9);
        o.writeMessage(BatchItem.EXISTS_FIELD_NUMBER, ExistsRequest.newBuilder().setPath("/y").build());
        o.writeUInt64(BatchItem.ID_FIELD_NUMBER, 41);
        o.writeUInt64(BatchItem.ID_FIELD_NUMBER, 42);
        o.flush();
        BatchParsing.Parsed p = BatchParsing.parse(message(item.toByteArray()));
        BatchItem want = BatchItem.parseFrom(item.toByteArray());
        assertEquals(42, p.id(0));
        assertEquals(9, p.timeoutMillis(0));
        assertEquals(BatchItem.EXISTS_FIELD_NUMBER, p.op(0));
        assertTrue(p.isRead(0));
        assertEquals(want, p.item(0));
    }

    @Test
    void anItemWhoseCallDoesNotParseIsRefusedWhenParsedAndItsNeighboursAreNot() throws Exception {
        ByteArrayOutputStream item = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(item);
        o.writeUInt64(BatchItem.ID_FIELD_NUMBER, 2);
        o.writeByteArray(BatchItem.GET_FIELD_NUMBER, RawBytes.lengthDelimited(GetRequest.PATH_FIELD_NUMBER,
                RawBytes.BAD_UTF8));
        o.flush();
        byte[] good = ITEMS.get(4).toByteArray();
        BatchParsing.Parsed p = BatchParsing.parse(message(good, item.toByteArray(), good));
        assertEquals(3, p.size());
        assertEquals(2, p.id(1));
        assertTrue(p.isRead(1), "the door sees a read: the call is only parsed once admitted");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> p.item(1));
        assertTrue(e.getStatus().getDescription().contains("get.path is not valid UTF-8"),
                e.getStatus().getDescription());
        assertEquals(ITEMS.get(4), p.item(0));
        assertEquals(ITEMS.get(4), p.item(2));
    }

    /**
     * Random damage to valid messages: the whole message is refused exactly when the generated
     * parser of the old, item-by-item kind could not find the items or an id; otherwise each
     * item has the generated parser's id, and when that parser takes the item, the same
     * timeout, call and parsed item; when it does not, the item is refused, by its scan or
     * when parsed.
     */
    @Test
    void damagedMessagesAreReadAsTheGeneratedParserReadsThem() throws Exception {
        Random random = new Random(20261204);
        BatchRequest.Builder b = BatchRequest.newBuilder();
        ITEMS.forEach(b::addItems);
        byte[] valid = b.build().toByteArray();
        int wholes = 0;
        int refusedItems = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = valid.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(10) == 0) {
                bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            List<byte[]> items = itemsOrNull(bytes);
            BatchParsing.Parsed p = BatchParsing.parse(bytes);
            if (items == null) {
                assertNotNull(p.whole(), "round " + round);
                wholes++;
                continue;
            }
            if (p.whole() != null) {
                assertTrue(unreadableId(items), "round " + round + ": " + p.whole());
                wholes++;
                continue;
            }
            assertEquals(items.size(), p.size(), "round " + round);
            for (int i = 0; i < items.size(); i++) {
                BatchItem want;
                try {
                    want = BatchItem.parseFrom(items.get(i));
                } catch (InvalidProtocolBufferException e) {
                    refusedItems++;
                    if (p.error(i) == null) {
                        int at = i;
                        assertThrows(StatusRuntimeException.class, () -> p.item(at), "round " + round + " item " + i);
                    }
                    continue;
                }
                assertNull(p.error(i), "round " + round + " item " + i);
                assertEquals(want.getId(), p.id(i), "round " + round + " item " + i);
                assertEquals(want.getTimeoutMillis(), p.timeoutMillis(i), "round " + round + " item " + i);
                assertEquals(want.getOpCase().getNumber(), p.op(i), "round " + round + " item " + i);
                assertEquals(want, p.item(i), "round " + round + " item " + i);
            }
        }
        assertTrue(wholes > 100 && refusedItems > 100, wholes + " messages and " + refusedItems
                + " items refused: the damage should reach both");
    }

    /** The items' bytes as the generated parser of the request would delimit them, or null if it could not. */
    private static List<byte[]> itemsOrNull(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<byte[]> items = new ArrayList<>();
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag == (BatchRequest.ITEMS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    items.add(in.readByteArray());
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return items;
    }

    /** Whether some item neither parses nor yields an id: the only reason a readable message is refused whole. */
    private static boolean unreadableId(List<byte[]> items) {
        for (byte[] item : items) {
            try {
                BatchItem.parseFrom(item);
            } catch (InvalidProtocolBufferException e) {
                CodedInputStream in = CodedInputStream.newInstance(item);
                try {
                    while (!in.isAtEnd()) {
                        int tag = in.readTag();
                        if (tag == (BatchItem.ID_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_VARINT)) {
                            in.readUInt64();
                            break;
                        }
                        in.skipField(tag);
                    }
                } catch (IOException unreadable) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] message(byte[]... items) throws IOException {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(m);
        for (byte[] item : items) {
            o.writeByteArray(BatchRequest.ITEMS_FIELD_NUMBER, item);
        }
        o.flush();
        return m.toByteArray();
    }
}
