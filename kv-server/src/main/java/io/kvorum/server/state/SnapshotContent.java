package io.kvorum.server.state;

import java.util.function.Function;

/**
 * What the state machine's keys mean to backups and restores: where the revision is, and which
 * keys belong to the cluster that wrote them rather than to the data. A restore into a new
 * cluster carries the data, sessions, watch history and exactly-once answers, so revisions,
 * sequential suffixes and sessions continue; it drops the old members' client addresses and
 * localities (the new members announce their own), their observer marks, and every node-owned
 * key (a leading zero byte: the peer address book, written afresh by the new cluster's
 * membership).
 */
public final class SnapshotContent {
    private SnapshotContent() {
    }

    /** The revision of a state, given a way to read its keys. */
    public static long revision(Function<byte[], byte[]> get) {
        byte[] r = get.apply(Keys.REVISION);
        return r == null ? 0 : Keys.getLong(r, 0);
    }

    /** Whether a restore into a new cluster keeps {@code key}, whose value is {@code value}. */
    public static boolean keptOnRestore(byte[] key, byte[] value) {
        if (key.length == 0 || key[0] == 0) {
            return false;
        }
        if (key[0] == Keys.LEGACY_OBSERVER) {
            return value.length > 0; // a session's owner; empty, an earlier version's observer mark
        }
        return key[0] != Keys.MEMBER && key[0] != Keys.MEMBER_LOCALITY && key[0] != Keys.OBSERVER;
    }
}
