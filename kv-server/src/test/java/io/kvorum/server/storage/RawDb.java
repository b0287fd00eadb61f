package io.kvorum.server.storage;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A store's RocksDB opened directly, bypassing NodeStore, so tests can damage it the way a bad
 * disk or a bug would: flip bytes, delete a key, rewrite a record.
 */
final class RawDb implements AutoCloseable {
    private final DBOptions options = new DBOptions();
    private final RocksDB db;
    private final List<String> names;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();

    RawDb(Path dir) throws RocksDBException {
        names = RocksResources.listColumnFamilies(dir);
        List<ColumnFamilyDescriptor> ds = new ArrayList<>();
        for (String n : names) {
            ds.add(new ColumnFamilyDescriptor(n.getBytes(StandardCharsets.UTF_8)));
        }
        db = RocksDB.open(options, dir.toString(), ds, handles);
    }

    List<String> columnFamilies() {
        return List.copyOf(names);
    }

    byte[] get(String cf, byte[] key) throws RocksDBException {
        return db.get(handle(cf), key);
    }

    void put(String cf, byte[] key, byte[] value) throws RocksDBException {
        db.put(handle(cf), key, value);
    }

    void delete(String cf, byte[] key) throws RocksDBException {
        db.delete(handle(cf), key);
    }

    private ColumnFamilyHandle handle(String cf) {
        int i = names.indexOf(cf);
        if (i < 0) {
            throw new IllegalArgumentException("no column family " + cf + " in " + names);
        }
        return handles.get(i);
    }

    @Override
    public void close() {
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        options.close();
    }
}
