package io.kvorum.server.storage;

import java.nio.charset.StandardCharsets;

/**
 * Where everything lives in a node's RocksDB: column family names and record keys. Changing
 * anything here changes the on-disk format and must bump {@link #FORMAT_VERSION}.
 *
 * <ul>
 *   <li>{@code meta}: {@code cluster_id} (UTF-8), {@code node_id} (8 bytes),
 *       {@code format_version} (4 bytes). Written once, when the store is created.</li>
 *   <li>{@code raft_log}: one entry per index; the key is the index as 8 big-endian bytes, so
 *       RocksDB's bytewise order is index order.</li>
 *   <li>{@code raft_state}: {@code hard_state}; {@code snapshot} (meta of the latest snapshot);
 *       {@code log_anchor} (index and term just before the first stored entry: what
 *       compaction or a snapshot left behind); {@code applied} (applied index and the
 *       membership in force at it, always written in the same batch as the state change it
 *       describes); {@code state_cf} (the name of the state column family in use).</li>
 *   <li>{@code state}, later {@code state.1}, {@code state.2}...: the state machine's data.
 *       Installing a snapshot fills a fresh generation and switches {@code state_cf} to it in
 *       one write, so a crash mid-install leaves the old generation in force.</li>
 * </ul>
 *
 * <p>Every value in {@code meta}, {@code raft_log} and {@code raft_state} is sealed with a
 * CRC32C by {@link Records}.
 */
final class StoreLayout {
    /** Version 1: the layout above. */
    static final int FORMAT_VERSION = 1;

    static final String CF_DEFAULT = "default";
    static final String CF_META = "meta";
    static final String CF_RAFT_LOG = "raft_log";
    static final String CF_RAFT_STATE = "raft_state";
    /** Name of the first state generation; later ones are {@code state.<generation>}. */
    static final String CF_STATE = "state";

    static final byte[] CLUSTER_ID = key("cluster_id");
    static final byte[] NODE_ID = key("node_id");
    static final byte[] FORMAT = key("format_version");

    static final byte[] HARD_STATE = key("hard_state");
    static final byte[] SNAPSHOT = key("snapshot");
    static final byte[] LOG_ANCHOR = key("log_anchor");
    static final byte[] APPLIED = key("applied");
    static final byte[] STATE_CF = key("state_cf");
    /**
     * Never written, only deleted: gives a flush of otherwise empty memtables something to
     * switch the WAL for (see {@link Checkpoints}).
     */
    static final byte[] WAL_SWITCH = key("wal_switch");

    /** Keys of the log span every possible index: {@code [LOG_BEGIN, LOG_END)}. */
    static final byte[] LOG_BEGIN = logKey(0);
    static final byte[] LOG_END = logKey(Long.MAX_VALUE);

    private StoreLayout() {
    }

    static byte[] logKey(long index) {
        byte[] k = new byte[8];
        for (int i = 7; i >= 0; i--) {
            k[i] = (byte) index;
            index >>>= 8;
        }
        return k;
    }

    /** The index a {@code raft_log} key encodes, or -1 if it is not a log key at all. */
    static long logIndex(byte[] key) {
        if (key.length != 8) {
            return -1;
        }
        long v = 0;
        for (byte b : key) {
            v = (v << 8) | (b & 0xFF);
        }
        return v;
    }

    static boolean isStateCf(String name) {
        return name.equals(CF_STATE) || name.startsWith(CF_STATE + ".");
    }

    /** 0 for {@code state}, n for {@code state.n}. */
    static long stateGeneration(String name) {
        if (name.equals(CF_STATE)) {
            return 0;
        }
        return Long.parseLong(name.substring(CF_STATE.length() + 1));
    }

    static String stateCfName(long generation) {
        return generation == 0 ? CF_STATE : CF_STATE + "." + generation;
    }

    static String name(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
