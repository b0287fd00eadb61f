package io.kvorum.server.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.ErrorReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a {@link BatchRequest} item by item, so that one item that does not parse (a string
 * field that is not UTF-8) is answered INVALID_ARGUMENT alone while the others go on. The
 * generated parser would refuse the whole message, and with it every item on the stream.
 */
final class BatchParsing implements MethodDescriptor.Marshaller<BatchParsing.Parsed> {
    /** A field's tag on the wire: its number and wire type. */
    private static final int ITEMS_TAG = BatchRequest.ITEMS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int ID_TAG = BatchItem.ID_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_VARINT;

    /** One item: parsed ({@code item} set) or refused ({@code error} set); {@code id} either way. */
    record Entry(long id, BatchItem item, StatusRuntimeException error) {
    }

    /**
     * A message's items in order, or {@code whole}: the message itself is unreadable (or an item's
     * id is), so no item can be answered and the stream ends with that error.
     */
    record Parsed(List<Entry> entries, StatusRuntimeException whole) {
    }

    @Override
    public InputStream stream(Parsed value) {
        throw new UnsupportedOperationException("Batch requests are only parsed here, never sent");
    }

    @Override
    public Parsed parse(InputStream stream) {
        try {
            return parse(stream.readAllBytes());
        } catch (IOException e) {
            return new Parsed(List.of(), Errors.of(ErrorReason.INVALID_DATA,
                    "request is not valid: it could not be read (" + e.getMessage() + ")"));
        }
    }

    static Parsed parse(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.enableAliasing(true); // items are parsed from views of the array, not copies
        List<Entry> entries = new ArrayList<>();
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag != ITEMS_TAG) {
                    in.skipField(tag);
                    continue;
                }
                ByteString item = in.readBytes();
                try {
                    BatchItem parsed = BatchItem.parseFrom(item);
                    entries.add(new Entry(parsed.getId(), parsed, null));
                } catch (InvalidProtocolBufferException e) {
                    long id = idOf(item);
                    UnparsableRequest bad = UnparsableRequest.of(BatchItem.getDescriptor(), item.toByteArray(), e);
                    entries.add(new Entry(id, null, Errors.of(ErrorReason.INVALID_DATA,
                            "batch item " + id + " is not valid: " + bad.problem(), "field", bad.field())));
                }
            }
        } catch (IOException e) {
            return new Parsed(List.of(), Errors.of(ErrorReason.INVALID_DATA,
                    "request is not valid: BatchRequest is malformed (" + e.getMessage() + ")"));
        }
        return new Parsed(entries, null);
    }

    /** The id of an item that did not parse as a whole; throws when even that is unreadable. */
    private static long idOf(ByteString item) throws IOException {
        CodedInputStream in = item.newCodedInput();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == ID_TAG) {
                return in.readUInt64();
            }
            in.skipField(tag);
        }
        return 0; // proto3 leaves a zero id out
    }
}
