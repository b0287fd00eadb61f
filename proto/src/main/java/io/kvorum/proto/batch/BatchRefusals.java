package io.kvorum.proto.batch;

import io.grpc.Metadata;

/**
 * The Batch stream header by which a client asks for the items refused at once as
 * {@code BatchResponse.refusals}, their ids packed with one shared error (kvorum.proto, Batch),
 * instead of a BatchResult each. Server, client and load generator share it.
 */
public final class BatchRefusals {
    /** The header's name. */
    public static final Metadata.Key<String> HEADER =
            Metadata.Key.of("kvorum-batch-refusals", Metadata.ASCII_STRING_MARSHALLER);
    /** The header's value that asks for packed refusals. */
    public static final String PACKED = "packed";

    private BatchRefusals() {
    }

    /** Headers that ask for packed refusals. */
    public static Metadata asking() {
        Metadata h = new Metadata();
        h.put(HEADER, PACKED);
        return h;
    }
}
