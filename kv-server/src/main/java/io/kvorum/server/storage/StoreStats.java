package io.kvorum.server.storage;

import java.util.Collection;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * RocksDB's own figures about one store, read on demand (for metrics) from in-memory
 * properties: cheap, nothing touches the disk.
 *
 * <p>Stall <em>time</em> is not here: RocksDB only counts it in its Statistics object, which
 * the Java binding can enable only together with histograms and timers on every write; the
 * per-column-family stall counts and the current delayed-write rate say the same thing
 * (RocksDB is throttling us) at no cost to the write path.
 *
 * @param logEntries             entries in the raft log (last index - first index + 1)
 * @param logBytes               bytes of the raft log column family: SST files plus memtables
 * @param liveDataBytes          bytes of every column family: SST files plus memtables
 * @param pendingCompactionBytes RocksDB's estimate of the bytes compaction still has to rewrite
 * @param stallStops             times writes were stopped (all column families, since open)
 * @param stallSlowdowns         times writes were slowed down (all column families, since open)
 * @param delayedWriteRate       bytes/s writes are throttled to right now; 0 when not throttled
 * @param memtableBytes          memory of every memtable, active and waiting to be flushed
 * @param blockCacheBytes        memory the shared block cache holds
 * @param tableReaderBytes       memory of the open SST files' indexes and filters (kept outside the cache)
 */
public record StoreStats(long logEntries, long logBytes, long liveDataBytes, long pendingCompactionBytes,
                         long stallStops, long stallSlowdowns, long delayedWriteRate,
                         long memtableBytes, long blockCacheBytes, long tableReaderBytes) {
    static final StoreStats EMPTY = new StoreStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    static StoreStats read(RocksDB db, ColumnFamilyHandle log, Collection<ColumnFamilyHandle> all,
                           long logEntries) {
        try {
            long logBytes = db.getLongProperty(log, "rocksdb.total-sst-files-size")
                    + db.getLongProperty(log, "rocksdb.cur-size-all-mem-tables");
            long live = db.getAggregatedLongProperty("rocksdb.total-sst-files-size")
                    + db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables");
            long pending = db.getAggregatedLongProperty("rocksdb.estimate-pending-compaction-bytes");
            long stops = 0;
            long slowdowns = 0;
            for (ColumnFamilyHandle cf : all) {
                Map<String, String> stats = db.getMapProperty(cf, "rocksdb.cfstats");
                stops += figure(stats, "io_stalls.total_stop");
                slowdowns += figure(stats, "io_stalls.total_slowdown");
            }
            long rate = db.getLongProperty("rocksdb.actual-delayed-write-rate");
            // Every column family shares one block cache: asking any of them gives its usage.
            return new StoreStats(logEntries, logBytes, live, pending, stops, slowdowns, rate,
                    db.getAggregatedLongProperty("rocksdb.size-all-mem-tables"),
                    db.getLongProperty(log, "rocksdb.block-cache-usage"),
                    db.getAggregatedLongProperty("rocksdb.estimate-table-readers-mem"));
        } catch (RocksDBException e) {
            throw new StorageException("reading RocksDB properties failed: " + e.getMessage(), e);
        }
    }

    private static long figure(Map<String, String> stats, String key) {
        String v = stats.get(key);
        if (v == null) {
            return 0;
        }
        try {
            return (long) Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
