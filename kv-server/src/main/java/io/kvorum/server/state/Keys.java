package io.kvorum.server.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds and parses the state column family's keys (the layout is described in
 * {@code package-info.java}). Every key starts with a one-byte ASCII tag, never a zero byte
 * (reserved for the node). Numbers are 8 bytes big-endian so bytewise order is numeric order.
 */
final class Keys {
    static final byte NODE = 'n';
    static final byte DATA = 'v';
    static final byte EPHEMERAL = 'e';
    static final byte TTL = 't';
    static final byte SESSION = 's';
    static final byte SESSION_TOUCH = 'u';
    static final byte SESSION_OWNER = 'o';
    static final byte MEMBER = 'a';
    static final byte MEMBER_LOCALITY = 'l';
    static final byte OBSERVER = 'r';
    /**
     * Earlier versions marked observers under the session owners' tag, {@code 'o' + member}
     * with an empty value (an owner is never empty): still read, and deleted when unmarked.
     */
    static final byte LEGACY_OBSERVER = SESSION_OWNER;
    /** One exactly-once answer per key: written by earlier versions, still read and deleted. */
    static final byte ANSWER = 'd';
    static final byte ANSWERS = 'b';
    static final byte CLIENT = 'c';
    static final byte HISTORY = 'h';
    static final byte META = 'm';

    static final byte[] REVISION = {META, 'r', 'e', 'v', 'i', 's', 'i', 'o', 'n'};
    static final byte[] AUTH = {'A', 'a', 'u', 't', 'h'};

    /** Root's node key: empty parent, empty name. */
    static final byte[] ROOT = {NODE, 0};

    private Keys() {
    }

    // ---------------------------------------------------------------- nodes

    /**
     * The node key of {@code path}: tag, parent path, a zero byte, the last segment. Paths
     * never contain a zero byte, so the children of P are exactly the keys starting with
     * {@code 'n' + P + 0}: a listing is one prefix range, sorted by name.
     */
    static byte[] node(String path) {
        return tagged(NODE, path);
    }

    /** The key of {@code path}'s data when it is too large to be kept inline in its record. */
    static byte[] data(String path) {
        return tagged(DATA, path);
    }

    private static byte[] tagged(byte tag, String path) {
        if (path.equals("/")) {
            return tag == NODE ? ROOT.clone() : new byte[] {tag, 0};
        }
        byte[] p = utf8(path);
        int slash = lastSlash(p);
        // Parent "/" for a top-level node keeps its slash; deeper parents drop the separator.
        int parentLen = slash == 0 ? 1 : slash;
        byte[] k = new byte[1 + parentLen + 1 + (p.length - slash - 1)];
        k[0] = tag;
        System.arraycopy(p, 0, k, 1, parentLen);
        k[1 + parentLen] = 0;
        System.arraycopy(p, slash + 1, k, 2 + parentLen, p.length - slash - 1);
        return k;
    }

    /** Prefix shared by the node keys of every child of {@code parent}. */
    static byte[] childrenPrefix(String parent) {
        byte[] p = utf8(parent);
        byte[] k = new byte[p.length + 2];
        k[0] = NODE;
        System.arraycopy(p, 0, k, 1, p.length);
        k[k.length - 1] = 0;
        return k;
    }

    /** The child name in a node key that starts with a children prefix of length {@code prefixLen}. */
    static String childName(byte[] nodeKey, int prefixLen) {
        return new String(nodeKey, prefixLen, nodeKey.length - prefixLen, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- indexes

    /** Ephemeral index: session id then path, so one session's nodes are one prefix range. */
    static byte[] ephemeral(long sessionId, String path) {
        byte[] p = utf8(path);
        byte[] k = new byte[9 + p.length];
        k[0] = EPHEMERAL;
        putLong(k, 1, sessionId);
        System.arraycopy(p, 0, k, 9, p.length);
        return k;
    }

    static byte[] ephemeralPrefix(long sessionId) {
        byte[] k = new byte[9];
        k[0] = EPHEMERAL;
        putLong(k, 1, sessionId);
        return k;
    }

    static String ephemeralPath(byte[] key) {
        return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
    }

    /** TTL index: expiry time (sign-flipped, so negative times sort first) then path. */
    static byte[] ttl(long expireAtMillis, String path) {
        byte[] p = utf8(path);
        byte[] k = new byte[9 + p.length];
        k[0] = TTL;
        putLong(k, 1, expireAtMillis ^ Long.MIN_VALUE);
        System.arraycopy(p, 0, k, 9, p.length);
        return k;
    }

    /** The first TTL key of nodes expiring after {@code millis}. */
    static byte[] ttlAfter(long millis) {
        byte[] k = new byte[9];
        k[0] = TTL;
        if (millis == Long.MAX_VALUE) {
            return new byte[] {TTL + 1};
        }
        putLong(k, 1, (millis + 1) ^ Long.MIN_VALUE);
        return k;
    }

    static String ttlPath(byte[] key) {
        return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- sessions, members, history

    /** The log index of the last command that renewed a session (its open, or a touch). */
    static byte[] sessionTouch(long sessionId) {
        return longKey(SESSION_TOUCH, sessionId);
    }

    static byte[] session(long sessionId) {
        return longKey(SESSION, sessionId);
    }

    static byte[] sessionOwner(long sessionId) {
        return longKey(SESSION_OWNER, sessionId);
    }

    static byte[] member(long memberId) {
        return longKey(MEMBER, memberId);
    }

    static byte[] memberLocality(long memberId) {
        return longKey(MEMBER_LOCALITY, memberId);
    }

    static byte[] observer(long memberId) {
        return longKey(OBSERVER, memberId);
    }

    static byte[] legacyObserver(long memberId) {
        return longKey(LEGACY_OBSERVER, memberId);
    }

    static byte[] history(long revision) {
        return longKey(HISTORY, revision);
    }

    static byte[] prefix(byte tag) {
        return new byte[] {tag};
    }

    /** The end (exclusive) of every key with {@code tag}. */
    static byte[] prefixEnd(byte tag) {
        return new byte[] {(byte) (tag + 1)};
    }

    static byte[] longKey(byte tag, long v) {
        byte[] k = new byte[9];
        k[0] = tag;
        putLong(k, 1, v);
        return k;
    }

    // ---------------------------------------------------------------- exactly-once

    /** Prefix of one client's keys under {@code tag}: tag, 2-byte length, client id. */
    static byte[] clientPrefix(byte tag, byte[] clientId) {
        byte[] k = new byte[3 + clientId.length];
        k[0] = tag;
        k[1] = (byte) (clientId.length >>> 8);
        k[2] = (byte) clientId.length;
        System.arraycopy(clientId, 0, k, 3, clientId.length);
        return k;
    }

    static byte[] answer(byte[] clientPrefix, long sequence) {
        byte[] k = Arrays.copyOf(clientPrefix, clientPrefix.length + 8);
        putLong(k, clientPrefix.length, sequence);
        return k;
    }

    /** The key of a client's answer record {@code record} (sequences {@code record * 64} on). */
    static byte[] answerRecord(byte[] clientPrefix, long record) {
        return answer(clientPrefix, record);
    }

    /** The client id in a key built from {@link #clientPrefix}. */
    static byte[] clientIdOf(byte[] key) {
        int len = ((key[1] & 0xFF) << 8) | (key[2] & 0xFF);
        return Arrays.copyOfRange(key, 3, 3 + len);
    }

    // ---------------------------------------------------------------- numbers

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static void putInt(byte[] b, int off, int v) {
        for (int i = 3; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFFL);
        }
        return v;
    }

    static byte[] longValue(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) {
            if (p[i] == '/') {
                return i;
            }
        }
        throw new IllegalArgumentException("not an absolute path");
    }
}
