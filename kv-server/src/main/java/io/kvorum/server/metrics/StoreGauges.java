package io.kvorum.server.metrics;

import io.kvorum.server.storage.NodeStore;
import io.kvorum.server.storage.StoreStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToDoubleFunction;

/**
 * Store figures read at scrape time: RocksDB's own properties and statistics (one read per
 * scrape, shared by the gauges), and the space left on the data directory's file system.
 */
final class StoreGauges {
    /** Within one scrape every gauge reads the same figures; a later scrape reads anew. */
    private static final long FRESH_NANOS = 500_000_000L;

    private StoreGauges() {
    }

    static void register(PrometheusRegistry registry, NodeStore store) {
        Cached cached = new Cached(store);
        gauge(registry, cached, "kvorum_storage_log_entries", "Entries in the raft log (not yet compacted).",
                StoreStats::logEntries);
        gauge(registry, cached, "kvorum_storage_log_size_bytes",
                "Bytes of the raft log in RocksDB (SST files and memtables).", StoreStats::logBytes);
        gauge(registry, cached, "kvorum_storage_db_size_bytes",
                "Bytes of every RocksDB column family (SST files and memtables).", StoreStats::liveDataBytes);
        gauge(registry, cached, "kvorum_storage_pending_compaction_bytes",
                "RocksDB's estimate of the bytes compaction still has to rewrite.",
                StoreStats::pendingCompactionBytes);
        gauge(registry, cached, "kvorum_storage_delayed_write_rate_bytes",
                "Bytes/s RocksDB throttles writes to right now (compaction falling behind); 0 when not.",
                StoreStats::delayedWriteRate);
        CounterWithCallback.builder().name("kvorum_storage_write_stalls_total")
                .help("Times RocksDB stopped or slowed down writes since the store opened, by kind.")
                .labelNames("kind")
                .callback(cb -> {
                    StoreStats s = cached.get();
                    cb.call(s.stallStops(), "stop");
                    cb.call(s.stallSlowdowns(), "slowdown");
                }).register(registry);
        GaugeWithCallback.builder().name("kvorum_storage_memory_bytes")
                .help("Native memory RocksDB holds, by kind: memtables, block cache, and table readers"
                        + " (indexes and filters of open SST files).")
                .unit(Unit.BYTES)
                .labelNames("kind")
                .callback(cb -> {
                    StoreStats s = cached.get();
                    cb.call(s.memtableBytes(), "memtables");
                    cb.call(s.blockCacheBytes(), "block_cache");
                    cb.call(s.tableReaderBytes(), "table_readers");
                }).register(registry);
        Path dir = store.path();
        fileSystemGauge(registry, dir, "kvorum_storage_filesystem_free_bytes",
                "Bytes available to Kvorum on the file system of its data directory.", FileStore::getUsableSpace);
        fileSystemGauge(registry, dir, "kvorum_storage_filesystem_size_bytes",
                "Size of the file system of the data directory.", FileStore::getTotalSpace);
    }

    /** A figure of a file system; may fail, and the gauge is then left out of that scrape. */
    @FunctionalInterface
    private interface FileSystemFigure {
        long of(FileStore fs) throws IOException;
    }

    private static void fileSystemGauge(PrometheusRegistry registry, Path dir, String name, String help,
                                        FileSystemFigure figure) {
        GaugeWithCallback.builder().name(name).help(help).unit(Unit.BYTES)
                .callback(cb -> {
                    try {
                        cb.call(figure.of(Files.getFileStore(dir)));
                    } catch (IOException e) {
                        // the data directory is unreadable right now: no figure this scrape
                    }
                }).register(registry);
    }

    private static void gauge(PrometheusRegistry registry, Cached cached, String name, String help,
                              ToDoubleFunction<StoreStats> value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsDouble(cached.get()))).register(registry);
    }

    /** The store's figures, read at most once per {@link #FRESH_NANOS}. */
    private static final class Cached {
        private final NodeStore store;
        private StoreStats stats;
        private long readAt;

        Cached(NodeStore store) {
            this.store = store;
        }

        synchronized StoreStats get() {
            long now = System.nanoTime();
            if (stats == null || now - readAt > FRESH_NANOS) {
                stats = store.stats();
                readAt = now;
            }
            return stats;
        }
    }
}
