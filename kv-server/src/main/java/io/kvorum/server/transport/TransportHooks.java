package io.kvorum.server.transport;

import com.google.protobuf.ByteString;

/**
 * Points where tests inject faults into snapshot transfers (and where a debugging build could
 * observe them). Each is called on the transfer's own thread; the defaults do nothing.
 */
public interface TransportHooks {
    TransportHooks NONE = new TransportHooks() { };

    /**
     * Sender side: the bytes about to be sent as one chunk, after their CRC32C was computed.
     * Returning different bytes simulates corruption in transit.
     */
    default ByteString beforeChunkSent(long peer, String file, long offset, ByteString data) {
        return data;
    }

    /**
     * Receiver side: a chunk was verified and written to the staging directory. Throwing fails
     * the transfer as if the receiver had crashed right after the write; blocking stalls it.
     */
    default void afterChunkStaged(long from, String file, long offset, int length) {
    }
}
