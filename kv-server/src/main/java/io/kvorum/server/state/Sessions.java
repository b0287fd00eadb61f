package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.OpenSession;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.server.storage.StateReader;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions: stored as {@code 's' + id -> ttl}, mirrored in memory (read by the leader's
 * liveness tracker from any thread). Liveness itself is not replicated: keep-alives only reach
 * the touch callback, and the leader proposes expiry, so every node deletes the same ephemerals
 * at the same revision.
 *
 * <p>A session's id is the log index of the command that opened it: unique, positive, and the
 * same on every node. Ending a session deletes its ephemerals found through the ephemeral index
 * ({@code 'e' + session + path}), never by scanning the tree.
 */
final class Sessions {
    private final StateLimits limits;
    private final Map<Long, Long> live = new ConcurrentHashMap<>();

    Sessions(StateLimits limits) {
        this.limits = limits;
    }

    void load(StateReader store) {
        live.clear();
        store.forEachWithPrefix(Keys.prefix(Keys.SESSION), Integer.MAX_VALUE,
                (k, v) -> live.put(Keys.getLong(k, 1), Keys.getLong(v, 0)));
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
        t.onCommit(() -> live.put(id, ttl));
        return OpenSessionResponse.newBuilder().setSessionId(id).setTtlMillis(ttl).build();
    }

    /** Ends a live session: deletes it and its ephemerals. */
    void close(Txn t, TreeOps tree, long id) {
        if (!live.containsKey(id)) {
            throw new CommandFailure(ErrorReason.SESSION_EXPIRED, "", "session " + id
                    + " is unknown, closed or expired");
        }
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
        t.onCommit(() -> live.remove(id));
    }
}
