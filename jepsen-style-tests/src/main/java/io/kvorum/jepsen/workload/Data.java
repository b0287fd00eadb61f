package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.Stat;
import java.nio.charset.StandardCharsets;

/** Integers as node data (decimal text, so a person can read them with the CLI), and upserts. */
final class Data {
    private Data() {
    }

    static byte[] bytes(long v) {
        return Long.toString(v).getBytes(StandardCharsets.UTF_8);
    }

    static long value(byte[] data) {
        return Long.parseLong(new String(data, StandardCharsets.UTF_8));
    }

    /**
     * Sets {@code path} to {@code v}, creating it when absent; returns the revision of the one
     * write that took effect. Each step that fails with NoNode or NodeExists changed nothing, so
     * the whole is one write; any other failure is thrown as it came.
     */
    static long upsert(KvorumClient client, String path, long v) {
        try {
            return client.set(path, bytes(v)).modRevision();
        } catch (NoNodeException absent) {
            try {
                return client.create(path, bytes(v)).revision();
            } catch (NodeExistsException createdMeanwhile) {
                Stat s = client.set(path, bytes(v));
                return s.modRevision();
            }
        }
    }
}
