package io.kvorum.server.api;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.ErrorReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a {@link BatchRequest} item by item, and only as far as the door needs: each item's
 * id, timeout and which call it carries ({@link Parsed}). The call itself is parsed only once
 * the item is admitted ({@link Parsed#item}): under overload most items are refused, and a
 * refusal must not cost a parse. An item that does not parse (a string field that is not
 * UTF-8) is answered INVALID_ARGUMENT alone while the others go on; the generated parser would
 * refuse the whole message, and with it every item on the stream.
 */
final class BatchParsing implements MethodDescriptor.Marshaller<BatchParsing.Parsed> {
    /** A field's tag on the wire: its number and wire type. */
    private static final int ITEMS_TAG = BatchRequest.ITEMS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int ID_TAG = BatchItem.ID_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_VARINT;
    private static final int TIMEOUT_TAG = BatchItem.TIMEOUT_MILLIS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_VARINT;
    /** The op oneof's fields: 3 (create) to 8 (exists). */
    private static final int FIRST_OP = BatchItem.CREATE_FIELD_NUMBER;
    private static final int LAST_OP = BatchItem.EXISTS_FIELD_NUMBER;

    /**
     * A message's items in order, scanned, or {@code whole}: the message itself is unreadable (or
     * an item's id is), so no item can be answered and the stream ends with that error. Item
     * {@code i} is the bytes {@code [offset(i), offset(i) + length(i))} of the message, with its
     * id, timeout and op field number (0: none) read off the top level; an item whose own fields
     * are malformed carries its error instead ({@link #error}).
     */
    static final class Parsed {
        private final StatusRuntimeException whole;
        private final byte[] bytes;
        private int size;
        private long[] ids;
        private long[] timeouts;
        private int[] ops;
        private int[] offsets;
        private int[] lengths;
        /** Null until an item has an error: most messages have none. */
        private StatusRuntimeException[] errors;

        private Parsed(byte[] bytes, StatusRuntimeException whole) {
            this.bytes = bytes;
            this.whole = whole;
            int guess = Math.max(4, Math.min(1024, bytes.length / 64));
            ids = new long[guess];
            timeouts = new long[guess];
            ops = new int[guess];
            offsets = new int[guess];
            lengths = new int[guess];
        }

        static Parsed failed(StatusRuntimeException whole) {
            return new Parsed(new byte[0], whole);
        }

        /** The error that ends the stream (the message is unreadable), or null. */
        StatusRuntimeException whole() {
            return whole;
        }

        int size() {
            return size;
        }

        long id(int i) {
            return ids[i];
        }

        long timeoutMillis(int i) {
            return timeouts[i];
        }

        /** The op field's number (BatchItem.CREATE_FIELD_NUMBER ...), 0 when the item carries none. */
        int op(int i) {
            return ops[i];
        }

        /** Whether the item's call is a read (Get, Exists): the door keeps reads and writes apart. */
        boolean isRead(int i) {
            return ops[i] == BatchItem.GET_FIELD_NUMBER || ops[i] == BatchItem.EXISTS_FIELD_NUMBER;
        }

        /** The error the item gets whatever else happens (its own fields are malformed), or null. */
        StatusRuntimeException error(int i) {
            return errors == null ? null : errors[i];
        }

        /** The whole item, parsed now; a field that does not parse is answered INVALID_ARGUMENT (the exception). */
        BatchItem item(int i) {
            // Bytes fields become views of the message, not copies: aliasing takes effect only on
            // a buffer the decoder may treat as immutable, which newInstance(byte[]) does not claim.
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes, offsets[i], lengths[i]).newCodedInput();
            in.enableAliasing(true);
            try {
                return BatchItem.parseFrom(in);
            } catch (InvalidProtocolBufferException e) {
                throw invalid(ids[i], Arrays.copyOfRange(bytes, offsets[i], offsets[i] + lengths[i]), e);
            } catch (IOException e) {
                throw invalid(ids[i], Arrays.copyOfRange(bytes, offsets[i], offsets[i] + lengths[i]),
                        new InvalidProtocolBufferException(e));
            }
        }

        private void add(long id, long timeout, int op, int offset, int length, StatusRuntimeException error) {
            if (size == ids.length) {
                int n = size * 2;
                ids = Arrays.copyOf(ids, n);
                timeouts = Arrays.copyOf(timeouts, n);
                ops = Arrays.copyOf(ops, n);
                offsets = Arrays.copyOf(offsets, n);
                lengths = Arrays.copyOf(lengths, n);
                if (errors != null) {
                    errors = Arrays.copyOf(errors, n);
                }
            }
            if (error != null && errors == null) {
                errors = new StatusRuntimeException[ids.length];
            }
            ids[size] = id;
            timeouts[size] = timeout;
            ops[size] = op;
            offsets[size] = offset;
            lengths[size] = length;
            if (errors != null) {
                errors[size] = error;
            }
            size++;
        }
    }

    @Override
    public InputStream stream(Parsed value) {
        throw new UnsupportedOperationException("Batch requests are only parsed here, never sent");
    }

    @Override
    public Parsed parse(InputStream stream) {
        try {
            return parse(MessageBytes.read(stream));
        } catch (IOException e) {
            return Parsed.failed(Errors.of(ErrorReason.INVALID_DATA,
                    "request is not valid: it could not be read (" + e.getMessage() + ")"));
        }
    }

    static Parsed parse(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Parsed parsed = new Parsed(bytes, null);
        Scanner scan = new Scanner(bytes);
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag != ITEMS_TAG) {
                    in.skipField(tag);
                    continue;
                }
                int length = in.readRawVarint32();
                int offset = in.getTotalBytesRead();
                in.skipRawBytes(length); // throws when the item runs past the message
                if (!scan.item(offset, length, parsed)) {
                    slowly(bytes, offset, length, parsed);
                }
            }
        } catch (IOException e) {
            return Parsed.failed(Errors.of(ErrorReason.INVALID_DATA,
                    "request is not valid: BatchRequest is malformed (" + e.getMessage() + ")"));
        }
        return parsed;
    }

    /**
     * An item the scanner would not read (a group, a truncated field, a zero tag): what the
     * generated parser makes of it decides, as it did before items were scanned.
     */
    private static void slowly(byte[] bytes, int offset, int length, Parsed parsed) throws IOException {
        byte[] item = Arrays.copyOfRange(bytes, offset, offset + length);
        try {
            BatchItem b = BatchItem.parseFrom(item);
            int op = b.getOpCase() == BatchItem.OpCase.OP_NOT_SET ? 0 : b.getOpCase().getNumber();
            parsed.add(b.getId(), b.getTimeoutMillis(), op, offset, length, null);
        } catch (InvalidProtocolBufferException e) {
            long id = idOf(item);
            parsed.add(id, 0, 0, offset, length, invalid(id, item, e));
        }
    }

    private static StatusRuntimeException invalid(long id, byte[] item, InvalidProtocolBufferException e) {
        UnparsableRequest bad = UnparsableRequest.of(BatchItem.getDescriptor(), item, e);
        return Errors.of(ErrorReason.INVALID_DATA, "batch item " + id + " is not valid: " + bad.problem(),
                "field", bad.field());
    }

    /** The id of an item that did not parse as a whole; throws when even that is unreadable. */
    private static long idOf(byte[] item) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(item);
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == ID_TAG) {
                return in.readUInt64();
            }
            in.skipField(tag);
        }
        return 0; // proto3 leaves a zero id out
    }

    /**
     * Reads an item's top-level fields straight off the message's bytes: the id, the timeout and
     * the op field's number, skipping the op's contents. Anything it does not expect makes it
     * give up (false) rather than guess.
     */
    private static final class Scanner {
        private final byte[] b;
        private int pos;
        private int end;

        Scanner(byte[] bytes) {
            this.b = bytes;
        }

        boolean item(int offset, int length, Parsed parsed) {
            pos = offset;
            end = offset + length;
            long id = 0;
            long timeout = 0;
            int op = 0;
            while (pos < end) {
                long tag = varint();
                if (tag <= 0 || tag > 0xFFFFFFFFL) {
                    return false; // truncated, zero, or not a 32-bit tag
                }
                int field = (int) (tag >>> 3);
                if (field == 0) {
                    return false; // the generated parser refuses field number zero
                }
                switch ((int) tag & 7) {
                    case WireFormat.WIRETYPE_VARINT -> {
                        long v = varint();
                        if (v == -1 && pos < 0) {
                            return false;
                        }
                        if (tag == ID_TAG) {
                            id = v;
                        } else if (tag == TIMEOUT_TAG) {
                            timeout = v;
                        }
                    }
                    case WireFormat.WIRETYPE_FIXED64 -> pos += 8;
                    case WireFormat.WIRETYPE_FIXED32 -> pos += 4;
                    case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        long n = varint();
                        if (pos < 0 || n < 0 || n > end - pos) {
                            return false;
                        }
                        if (field >= FIRST_OP && field <= LAST_OP) {
                            op = field; // a oneof: the last one set wins, as in the generated parser
                        }
                        pos += (int) n;
                    }
                    default -> {
                        return false; // groups: rare enough for the generated parser
                    }
                }
                if (pos > end || pos < 0) {
                    return false;
                }
            }
            parsed.add(id, timeout, op, offset, length, null);
            return true;
        }

        /**
         * The next varint of at most nine bytes (up to 2^63 - 1); past the item's end or longer
         * (a negative int64: the generated parser's reading of a tenth byte is its own), sets
         * pos to -1 and returns -1.
         */
        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                if (pos < 0 || pos >= end) {
                    pos = -1;
                    return -1;
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            pos = -1;
            return -1;
        }
    }
}
