package io.kvorum.server.storage;

import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The RocksDB instance of one store with its options, cache and column family handles, opened
 * and closed together so that no native object leaks or outlives the database.
 *
 * <p>Tuning is for a coordination service on a small machine (the design target: at most 300 MB resident
 * per node): one shared 16 MiB block cache, memtables capped at 48 MiB in total, small
 * memtables for the tiny {@code meta} and {@code raft_state} families, a Bloom filter on the
 * state (point reads by key), no compression of what flushes write (most of it is deleted
 * within seconds; only the state's bottommost level is compressed, with LZ4). The WAL is
 * always on: every durability argument in {@link NodeStore} relies on RocksDB recovering a
 * prefix of the writes in order, and on a synced write also making every earlier write
 * durable. WAL files are recycled: a synced
 * write over a recycled file's allocated blocks flushes data only, where one that grows a new
 * file also makes the file system write the file's size (a journal commit on ext4). RocksDB
 * reuses a recycled file only for a switch made while file deletions are on, so not for the
 * switch a checkpoint's own flush makes; {@link Checkpoints} flushes before it on a lightly
 * loaded node for that reason. Flushes are atomic across the column families, so a flush of
 * all of them is one WAL switch (one reused file), not one per family (docs/architecture.md,
 * "Storage layout", has what this was measured to buy).
 *
 * <p>Handles are created and dropped only by a caller holding {@link NodeStore}'s locks.
 */
final class RocksResources implements AutoCloseable {
    private static final long MiB = 1L << 20;

    final Path dir;
    final RocksDB db;
    private final DBOptions dbOptions;
    private final Cache cache;
    private final ColumnFamilyOptions logOptions;
    private final ColumnFamilyOptions smallOptions;
    private final ColumnFamilyOptions stateOptions;
    private final BloomFilter bloom;
    private final Map<String, ColumnFamilyHandle> handles;

    private RocksResources(Path dir, RocksDB db, DBOptions dbOptions, Cache cache, ColumnFamilyOptions logOptions,
                           ColumnFamilyOptions smallOptions, ColumnFamilyOptions stateOptions, BloomFilter bloom,
                           Map<String, ColumnFamilyHandle> handles) {
        this.dir = dir;
        this.db = db;
        this.dbOptions = dbOptions;
        this.cache = cache;
        this.logOptions = logOptions;
        this.smallOptions = smallOptions;
        this.stateOptions = stateOptions;
        this.bloom = bloom;
        this.handles = handles;
    }

    /** Whether {@code dir} already holds a RocksDB (its CURRENT file names the manifest). */
    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("CURRENT"));
    }

    static List<String> listColumnFamilies(Path dir) {
        List<String> names = new ArrayList<>();
        try (Options o = new Options()) {
            for (byte[] n : RocksDB.listColumnFamilies(o, dir.toString())) {
                names.add(new String(n, StandardCharsets.UTF_8));
            }
        } catch (RocksDBException e) {
            throw new StorageException("cannot list column families of " + dir + ": " + e.getMessage(), e);
        }
        return names;
    }

    /**
     * Opens (creating if missing) the database at {@code dir} with exactly the column
     * families {@code names}. {@code tuning} may adjust the DB options (tests and benchmarks
     * attach statistics); null for none.
     */
    static RocksResources open(Path dir, List<String> names, Consumer<DBOptions> tuning) {
        RocksDB.loadLibrary();
        Cache cache = new LRUCache(16 * MiB);
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                // Memtables flush when full (a snapshot does not flush them): 48 MiB in all keeps a
                // node's resident memory under 300 MB at 256 writes in flight, where 96 MiB did not.
                .setDbWriteBufferSize(48 * MiB)
                .setMaxTotalWalSize(128 * MiB)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(5)
                // One recycled WAL file: two switches in a row then come back to the file
                // the first retired (see Checkpoints).
                .setRecycleLogFileNum(1)
                .setAtomicFlush(true);
        if (tuning != null) {
            tuning.accept(dbOptions);
        }
        BloomFilter bloom = new BloomFilter(10);
        ColumnFamilyOptions logOptions = cfOptions(cache, 16 * MiB, null);
        ColumnFamilyOptions smallOptions = cfOptions(cache, 4 * MiB, null);
        ColumnFamilyOptions stateOptions = cfOptions(cache, 16 * MiB, bloom)
                .setBottommostCompressionType(CompressionType.LZ4_COMPRESSION);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (String n : names) {
            ColumnFamilyOptions o = n.equals(StoreLayout.CF_RAFT_LOG) ? logOptions
                    : StoreLayout.isStateCf(n) ? stateOptions : smallOptions;
            descriptors.add(new ColumnFamilyDescriptor(n.getBytes(StandardCharsets.UTF_8), o));
        }
        List<ColumnFamilyHandle> list = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, list);
            Map<String, ColumnFamilyHandle> handles = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                handles.put(names.get(i), list.get(i));
            }
            return new RocksResources(dir, db, dbOptions, cache, logOptions, smallOptions, stateOptions, bloom, handles);
        } catch (RocksDBException e) {
            list.forEach(ColumnFamilyHandle::close);
            closeOptions(logOptions, smallOptions, stateOptions, dbOptions, bloom, cache);
            throw new StorageException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
        }
    }

    private static ColumnFamilyOptions cfOptions(Cache cache, long writeBuffer, BloomFilter bloom) {
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache);
        if (bloom != null) {
            table.setFilterPolicy(bloom);
        }
        return new ColumnFamilyOptions()
                .setWriteBufferSize(writeBuffer)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setTableFormatConfig(table);
    }

    ColumnFamilyHandle cf(String name) {
        ColumnFamilyHandle h = handles.get(name);
        if (h == null) {
            throw new StorageException("store at " + dir + " has no column family '" + name + "'");
        }
        return h;
    }

    /** The open column family handles; only valid under {@link StoreDb}'s guard. */
    java.util.Collection<ColumnFamilyHandle> handles() {
        return handles.values();
    }

    Set<String> columnFamilies() {
        return Set.copyOf(handles.keySet());
    }

    /** Creates an empty state column family called {@code name}. */
    ColumnFamilyHandle createStateCf(String name) throws RocksDBException {
        ColumnFamilyHandle h = db.createColumnFamily(
                new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), stateOptions));
        handles.put(name, h);
        return h;
    }

    /** Drops column family {@code name} and its data; RocksDB removes the files later. */
    void drop(String name) throws RocksDBException {
        ColumnFamilyHandle h = handles.remove(name);
        if (h != null) {
            try {
                db.dropColumnFamily(h);
            } finally {
                h.close();
            }
        }
    }

    @Override
    public void close() {
        handles.values().forEach(ColumnFamilyHandle::close);
        handles.clear();
        db.close();
        closeOptions(logOptions, smallOptions, stateOptions, dbOptions, bloom, cache);
    }

    /** Native option objects are freed after the handles and the DB that use them, in this order. */
    private static void closeOptions(AbstractNativeReference... refs) {
        for (AbstractNativeReference r : refs) {
            r.close();
        }
    }
}
