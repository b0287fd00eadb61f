package io.kvorum.cli.bench;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.RequestOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one benchmark operation is: a write sets a random preloaded key to a fresh value of
 * the configured size; a read gets a random key; mixed picks one or the other.
 */
public enum Workload {
    WRITE, READ, MIXED;

    /** Everything an operation needs, fixed for the run. */
    record Setup(KeySpace keys, byte[][] values, int readPercent, RequestOptions readOptions,
                 RequestOptions writeOptions) {
    }

    /** Starts one operation on {@code client}. */
    CompletableFuture<?> start(KvorumClient client, Setup s) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        boolean read = switch (this) {
            case READ -> true;
            case WRITE -> false;
            case MIXED -> rnd.nextInt(100) < s.readPercent();
        };
        String key = s.keys().path(rnd.nextInt(s.keys().count()));
        if (read) {
            return client.async().get(key, s.readOptions());
        }
        // A few pre-made values, so the load generator does not spend its time making random bytes.
        byte[] value = s.values()[rnd.nextInt(s.values().length)];
        return client.async().set(key, value, -1, s.writeOptions());
    }
}
