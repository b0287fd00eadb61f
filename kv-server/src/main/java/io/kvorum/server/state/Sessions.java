package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.OpenSession;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.server.storage.StateReader;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions: stored as {@code 's' + id -> ttl} (and {@code 'o' + id -> user} for one opened by an
 * authenticated user, its owner), mirrored in memory (read by the leader's
 * liveness tracker from any thread). Liveness itself is not replicated: keep-alives only reach
 * the touch callback, and the leader proposes expiry, so every node deletes the same ephemerals
 * at the same revision.
 *
 * <p>A session's id is the log index of the command that opened it: unique, positive, and the
 * same on every node. Ending a session deletes its ephemerals found through the ephemeral index
 * ({@code 'e' + session + path}), never by scanning the tree.
 *
 * <p>A session opened by an authenticated user belongs to that user: a command proposed for
 * another user ({@link Txn#caller}) may not close it or create ephemerals in it. A command
 * proposed for no user (auth off, a node's housekeeping) is not checked: with auth off anyone
 * may do anything.
 */
final class Sessions {
    private final StateLimits limits;
    private final Map<Long, Long> live = new ConcurrentHashMap<>();
    private final Map<Long, String> owners = new ConcurrentHashMap<>();

    Sessions(StateLimits limits) {
        this.limits = limits;
    }

    void load(StateReader store) {
        live.clear();
        store.forEachWithPrefix(Keys.prefix(Keys.SESSION), Integer.MAX_VALUE,
                (k, v) -> live.put(Keys.getLong(k, 1), Keys.getLong(v, 0)));
        owners.clear();
        store.forEachWithPrefix(Keys.prefix(Keys.SESSION_OWNER), Integer.MAX_VALUE, (k, v) -> {
            if (v.length > 0) { // empty: an earlier version's observer mark (Keys.LEGACY_OBSERVER)
                owners.put(Keys.getLong(k, 1), new String(v, StandardCharsets.UTF_8));
            }
        });
    }

    /** The user who opened session {@code id}, or null (unknown, or opened without a user). */
    String owner(long id) {
        return owners.get(id);
    }

    /**
     * Refuses (PERMISSION_DENIED) a command proposed for a user other than the one who opened
     * session {@code id}; {@code what} says what it tried ("close", ...).
     */
    void checkCaller(Txn t, long id, String path, String what) {
        String owner = owners.get(id);
        if (!t.caller.isEmpty() && owner != null && !owner.equals(t.caller)) {
            throw new CommandFailure(ErrorReason.PERMISSION_DENIED, path, "user " + t.caller + " may not " + what
                    + " session " + id + ": another user opened it");
        }
    }

    boolean exists(long id) {
        return live.containsKey(id);
    }

    /** id -> ttl of live sessions: a read-only, weakly consistent view. */
    Map<Long, Long> view() {
        return Collections.unmodifiableMap(live);
    }

    OpenSessionResponse open(Txn t, OpenSession o) {
        long ttl = o.getTtlMillis();
        if (ttl < limits.minSessionTtlMillis() || ttl > limits.maxSessionTtlMillis()) {
            throw new CommandFailure(ErrorReason.INVALID_DATA, "", "session ttl_millis " + ttl
                    + " is out of range: it must be between " + limits.minSessionTtlMillis() + " and "
                    + limits.maxSessionTtlMillis());
        }
        long id = t.index;
        t.put(Keys.session(id), Keys.longValue(ttl));
        t.put(Keys.sessionTouch(id), Keys.longValue(t.index));
        String owner = t.caller;
        if (!owner.isEmpty()) {
            t.put(Keys.sessionOwner(id), owner.getBytes(StandardCharsets.UTF_8));
        }
        t.onCommit(() -> {
            live.put(id, ttl);
            if (!owner.isEmpty()) {
                owners.put(id, owner);
            }
        });
        return OpenSessionResponse.newBuilder().setSessionId(id).setTtlMillis(ttl).build();
    }

    /** Ends a live session: deletes it and its ephemerals. */
    void close(Txn t, TreeOps tree, long id) {
        if (!live.containsKey(id)) {
            throw new CommandFailure(ErrorReason.SESSION_EXPIRED, "", "session " + id
                    + " is unknown, closed or expired");
        }
        checkCaller(t, id, "", "close");
        end(t, tree, id);
    }

    /** Records that a keep-alive for a live session was committed at this command's index. */
    void touch(Txn t, long id) {
        t.put(Keys.sessionTouch(id), Keys.longValue(t.index));
    }

    /**
     * Ends each listed session that is live and was not renewed after the leader decided
     * (a touch applied after {@code decidedAtIndex}: its keep-alive may already have been
     * answered, so the session must live on); unknown ids are ignored (already gone).
     */
    void expire(Txn t, TreeOps tree, List<Long> ids, long decidedAtIndex) {
        Set<Long> ended = new HashSet<>();
        for (long id : ids) {
            if (live.containsKey(id) && !renewedAfter(t, id, decidedAtIndex) && ended.add(id)) {
                end(t, tree, id);
            }
        }
    }

    private static boolean renewedAfter(Txn t, long id, long decidedAtIndex) {
        if (decidedAtIndex <= 0) {
            return false;
        }
        byte[] v = t.get(Keys.sessionTouch(id));
        return v != null && Keys.getLong(v, 0) > decidedAtIndex;
    }

    private void end(Txn t, TreeOps tree, long id) {
        for (byte[] key : t.keysWithPrefix(Keys.ephemeralPrefix(id))) {
            String path = Keys.ephemeralPath(key);
            Znode z = t.node(path);
            if (z == null || z.ephemeralOwner != id) {
                throw new IllegalStateException("ephemeral index names " + path + " for session " + id
                        + " but the node is " + (z == null ? "missing" : "owned by " + z.ephemeralOwner));
            }
            tree.remove(t, path, z);
        }
        t.delete(Keys.session(id));
        t.delete(Keys.sessionTouch(id));
        if (owners.containsKey(id)) {
            t.delete(Keys.sessionOwner(id)); // only then: the key may be an earlier version's observer mark
        }
        t.onCommit(() -> {
            live.remove(id);
            owners.remove(id);
        });
    }
}
