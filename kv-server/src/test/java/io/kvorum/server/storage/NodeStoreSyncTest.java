package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.ents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.Ready;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

/**
 * The fsync a crash test cannot see: killing a process keeps the OS page cache, so
 * {@link NodeStoreKillTest} passes whether or not the log is synced. RocksDB counts its WAL
 * syncs; a Ready that must be durable (new entries, a vote, a term) has to add to that count
 * before persist returns, and one that only moves the commit index must not (it is written
 * unsynced on purpose). Dropping the sync, or syncing the wrong writes, fails this test.
 */
class NodeStoreSyncTest {
    @TempDir
    Path dir;

    @Test
    void aReadyThatMustBeDurableIsSyncedAndACommitOnlyReadyIsNot() {
        try (Statistics stats = new Statistics();
             NodeStore s = NodeStore.open(dir, Fixtures.CLUSTER, 1, Fixtures.CONF, o -> o.setStatistics(stats))) {
            long before = stats.getTickerCount(TickerType.WAL_FILE_SYNCED);
            s.persist(Fixtures.ready(new HardState(1, 1, 0), ents(1, 10, 1)));
            long afterEntries = stats.getTickerCount(TickerType.WAL_FILE_SYNCED);
            assertTrue(afterEntries > before, "new entries and a vote were not synced");

            s.persist(new Ready(null, new HardState(1, 1, 5), List.<Entry>of(), null, List.of(), List.of(),
                    List.of(), List.of(), false));
            assertEquals(afterEntries, stats.getTickerCount(TickerType.WAL_FILE_SYNCED),
                    "a commit-index-only Ready was synced");

            s.persist(Fixtures.ready(new HardState(2, 2, 5), List.of()));
            assertTrue(stats.getTickerCount(TickerType.WAL_FILE_SYNCED) > afterEntries, "a new term was not synced");
        }
    }
}
