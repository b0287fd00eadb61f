package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.bytes;

import io.kvorum.server.raft.HardState;

/**
 * Child process for {@link NodeStoreKillTest}: persists a log, then applies it one entry per
 * batch (each batch puts {@code k<i>} and {@code last = i}) until it is killed. Prints
 * "applying" once it is well under way.
 */
public final class CrashWorker {
    static final int ENTRIES = 100_000;

    public static void main(String[] args) throws Exception {
        try (NodeStore s = Fixtures.open(java.nio.file.Path.of(args[0]))) {
            for (long from = 1; from <= ENTRIES; from += 1000) {
                s.persist(Fixtures.ready(new HardState(1, 1, from + 999), Fixtures.ents(from, from + 999, 1)));
            }
            for (long i = 1; i <= ENTRIES; i++) {
                long n = i;
                s.applyBatch(i, s.appliedConfState(),
                        b -> b.put(bytes("k" + n), bytes("v" + n)).put(bytes("last"), bytes(Long.toString(n))));
                if (i == 1000) {
                    System.out.println("applying");
                    System.out.flush();
                }
            }
            System.out.println("done");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
