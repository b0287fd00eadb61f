package io.kvorum.server.state;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandError;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.internal.v1.Done;
import io.kvorum.proto.internal.v1.Locality;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.internal.v1.TtlExpiry;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.CloseSessionResponse;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.ResponseHeader;
import io.kvorum.server.node.StateMachine;
import io.kvorum.server.storage.StateReader;
import io.kvorum.server.storage.StateWriter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The coordination data model (a ZooKeeper-like tree of znodes with sessions, TTLs, watches'
 * history and exactly-once writes) applied from committed commands.
 *
 * <h2>Applying</h2>
 * {@link #apply} runs on one thread at a time, in log order: the node's apply thread, or its
 * raft loop standing in for an idle apply stage. It parses a
 * {@code kvorum.internal.v1.Command}, applies it and returns a serialized {@link CommandResult}.
 * It is deterministic: it reads no clock and no randomness (times come from
 * {@code Command.time_millis}, session ids are log indexes), so every node that applies the same
 * log holds byte-identical state. The {@link StateLimits} take part in apply decisions and must
 * therefore be the same on every node. Bad input never throws: a malformed or refused command
 * answers a {@link CommandError} and changes nothing (each command runs in its own
 * transaction, written only if it succeeds). An exception from apply means the node itself is
 * broken (storage failed, a stored record is unreadable): the node stops rather than diverge.
 *
 * <h2>Revisions and events</h2>
 * One cluster-wide revision, advanced by every command that changes the tree (create, set,
 * delete, a multi with a write, the end of a session that deleted ephemerals, a TTL expiry
 * that deleted something, and the container deletions they cascade into); not by sessions
 * opening, touches, member addresses or failed commands. Each revision's events are stored
 * for {@link #history} and handed to listeners from {@link #batchWritten}, after they are durable.
 *
 * <h2>Reading</h2>
 * The read methods may be called from any thread while apply runs. They read the store, which
 * holds what the last written batch left: never a half-applied command. {@link #revision()} is
 * published when the node reports a batch durable, so data read after it is at least as new.
 * A point read ({@link #get}) on the thread that applies, between batches, where the node serves
 * linearizable reads once it applied up to their read index, takes the node's record from the
 * apply stage's cache of node records: there and then it holds what the store holds.
 */
public final class CoordinationState implements StateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinationState.class);
    /** Room for the command's own fields around a request of {@link StateLimits#maxRequestBytes()}. */
    private static final int COMMAND_OVERHEAD_BYTES = 4096;

    /**
     * Node records kept in memory for apply, about 18,000 of a 256-byte value: the heap is
     * sized for a node at most 300 MB resident.
     */
    private static final long NODE_CACHE_BYTES = 8L << 20;

    private final StateReader store;
    private final StateLimits limits;
    private final BatchOverlay overlay;
    private final Sessions sessions;
    private final Members members = new Members();
    private final AuthStore auth = new AuthStore();
    private final Dedupe dedupe;
    private final History history;
    private final TreeOps tree;
    private final MultiOps multi;
    private final List<Consumer<RevisionEvents>> listeners = new CopyOnWriteArrayList<>();
    private volatile LongConsumer touched = id -> { };

    /**
     * The thread that applies commands, or applied the last one (the node hands applying from
     * one thread to another only between batches); only it may read {@link #overlay}.
     */
    private volatile Thread applyThread;
    /** The last applied revision: the applying thread only. */
    private long revision;
    /** The revision readers see: published by {@link #batchWritten}. */
    private volatile long publishedRevision;
    /** The batch being applied changed {@link #revision}: finishBatch writes it. */
    private boolean revisionChanged;
    /** Revisions applied but not yet reported durable: go to listeners from batchWritten(). */
    private final List<RevisionEvents> pending = new ArrayList<>();

    /**
     * Opens the state kept in {@code store} (empty for a new store: just the root).
     *
     * @param limits the data model's limits; identical on every node of the cluster
     */
    public CoordinationState(StateReader store, StateLimits limits) {
        this.store = Objects.requireNonNull(store, "store");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.overlay = new BatchOverlay(store, NODE_CACHE_BYTES);
        this.sessions = new Sessions(limits);
        this.dedupe = new Dedupe(limits);
        this.history = new History(limits);
        this.tree = new TreeOps(limits, sessions);
        this.multi = new MultiOps(limits, tree);
        load();
    }

    /** The data model's limits this state enforces (identical on every node of the cluster). */
    public StateLimits limits() {
        return limits;
    }

    private void load() {
        overlay.storeReplaced();
        pending.clear();
        revisionChanged = false;
        byte[] r = store.get(Keys.REVISION);
        revision = r == null ? 0 : Keys.getLong(r, 0);
        sessions.load(store);
        members.load(store);
        auth.load(store);
        dedupe.load(store);
        history.load(store, revision);
        publishedRevision = revision;
    }

    // ---------------------------------------------------------------- StateMachine

    @Override
    public byte[] apply(long index, byte[] command, StateWriter batch) {
        return apply(index, command, 0, command.length, batch);
    }

    @Override
    public byte[] apply(long index, byte[] data, int offset, int length, StateWriter batch) {
        applyThread = Thread.currentThread();
        overlay.begin(batch);
        Command cmd;
        try {
            // The entry's bytes never change: values refer to them, uncopied (aliasing takes effect
            // only on a buffer the decoder may treat as immutable, hence the wrap).
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(data, offset, length).newCodedInput();
            in.enableAliasing(true);
            cmd = Command.parseFrom(in);
        } catch (IOException e) {
            return error(ErrorReason.INVALID_DATA, "malformed command at index " + index + ": " + e.getMessage());
        }
        if (length > (long) limits.maxRequestBytes() + COMMAND_OVERHEAD_BYTES) {
            return error(ErrorReason.TOO_LARGE, "command of " + length + " bytes is over the request limit of "
                    + limits.maxRequestBytes() + " bytes");
        }
        String clientId = cmd.getHeader().getClientId();
        if (clientId.isEmpty()) {
            return execute(index, cmd);
        }
        if (clientId.length() * 3L > Dedupe.MAX_CLIENT_ID_BYTES
                && clientId.getBytes(StandardCharsets.UTF_8).length > Dedupe.MAX_CLIENT_ID_BYTES) {
            return error(ErrorReason.INVALID_DATA, "client id is over " + Dedupe.MAX_CLIENT_ID_BYTES + " bytes");
        }
        return dedupe.apply(overlay, clientId, cmd.getHeader().getSequence(),
                cmd.getHeader().getLowestUnansweredSequence(), index, () -> execute(index, cmd));
    }

    /** Runs {@code cmd} in its own transaction: all of it is written, or (on a refusal) none. */
    private byte[] execute(long index, Command cmd) {
        Txn t = new Txn(overlay, revision, cmd.getTimeMillis(), index, cmd.getCaller());
        CommandResult.Builder result = CommandResult.newBuilder();
        try {
            switch (cmd.getOpCase()) {
                case CREATE -> result.setCreate(tree.create(t, cmd.getCreate()).toBuilder().setHeader(header(t)));
                case SET -> result.setSet(tree.set(t, cmd.getSet()).toBuilder().setHeader(header(t)));
                case DELETE -> {
                    tree.delete(t, cmd.getDelete());
                    result.setDelete(DeleteResponse.newBuilder().setHeader(header(t)));
                }
                case MULTI -> result.setMulti(multi.apply(t, cmd.getMulti()).setHeader(header(t)));
                case OPEN_SESSION -> result.setOpenSession(
                        sessions.open(t, cmd.getOpenSession()).toBuilder().setHeader(header(t)));
                case CLOSE_SESSION -> {
                    sessions.close(t, tree, cmd.getCloseSession().getSessionId());
                    result.setCloseSession(CloseSessionResponse.newBuilder().setHeader(header(t)));
                }
                case EXPIRE_SESSIONS -> {
                    sessions.expire(t, tree, cmd.getExpireSessions().getSessionIdsList(),
                            cmd.getExpireSessions().getDecidedAtIndex());
                    result.setDone(done(t));
                }
                case TOUCH_SESSIONS -> {
                    LongConsumer callback = touched;
                    for (long id : cmd.getTouchSessions().getSessionIdsList()) {
                        if (sessions.exists(id)) {
                            sessions.touch(t, id);
                            callback.accept(id);
                        }
                    }
                    result.setDone(done(t));
                }
                case EXPIRE_TTL_NODES -> {
                    expireTtlNodes(t, cmd.getExpireTtlNodes().getNodesList());
                    result.setDone(done(t));
                }
                case MEMBER_CLIENT_ADDRESS -> {
                    members.announce(t, cmd.getMemberClientAddress());
                    result.setDone(done(t));
                }
                case MARK_OBSERVER -> {
                    members.markObserver(t, cmd.getMarkObserver());
                    result.setDone(done(t));
                }
                case COMPACT_HISTORY -> {
                    history.compact(overlay, cmd.getCompactHistory().getRevision(), revision);
                    result.setDone(done(t));
                }
                case AUTH_CHANGE -> {
                    auth.apply(t, cmd.getAuthChange());
                    result.setDone(done(t));
                }
                case OP_NOT_SET -> throw new CommandFailure(ErrorReason.INVALID_DATA, "",
                        "command at index " + index + " carries no operation");
            }
            // Only a command that deleted a node can have emptied a container; its answer's
            // revision is already this command's, so the cascade does not change the answer.
            tree.deleteEmptiedContainers(t);
        } catch (CommandFailure f) {
            return CommandResult.newBuilder().setError(f.toError()).build().toByteArray();
        }
        t.commit();
        if (!t.events.isEmpty()) {
            revision = t.revision;
            revisionChanged = true;
            RevisionEvents re = RevisionEvents.newBuilder().setRevision(revision).addAllEvents(t.events).build();
            history.record(overlay, re);
            pending.add(re);
        }
        return result.build().toByteArray();
    }

    /** Deletes each listed TTL node still unmodified since the leader saw it, and childless. */
    private void expireTtlNodes(Txn t, List<TtlExpiry> due) {
        for (TtlExpiry e : due) {
            if (Paths.problem(e.getPath()) != null || e.getPath().equals(Paths.ROOT)) {
                continue;
            }
            Znode z = t.node(e.getPath());
            if (z != null && z.isTtl() && z.modRevision == e.getModRevision() && z.numChildren == 0) {
                tree.remove(t, e.getPath(), z);
            }
        }
    }

    /**
     * The header of a command's answer. Called after the command's operations ran, when it is
     * known whether they changed the tree (the container cascade never changes that: it only
     * follows a delete).
     */
    private static ResponseHeader header(Txn t) {
        return ResponseHeader.newBuilder().setRevision(t.resultRevision()).build();
    }

    private static Done done(Txn t) {
        return Done.newBuilder().setRevision(t.resultRevision()).build();
    }

    private static byte[] error(ErrorReason reason, String message) {
        return CommandResult.newBuilder().setError(CommandError.newBuilder()
                .setReason(reason).setMessage(message).setOpIndex(-1)).build().toByteArray();
    }

    /** Writes what the batch's commands changed and kept back: the revision, the exactly-once records. */
    @Override
    public void finishBatch(StateWriter batch) {
        overlay.begin(batch);
        if (revisionChanged) {
            overlay.put(Keys.REVISION, Keys.longValue(revision));
            revisionChanged = false;
        }
        dedupe.finishBatch(overlay);
    }

    /**
     * The batch with everything applied through {@code appliedIndex} is written: publish the
     * new revision to readers and hand each new revision's events to the listeners, in order.
     */
    @Override
    public void batchWritten(long appliedIndex) {
        overlay.reset();
        history.publish(revision);
        publishedRevision = revision;
        if (pending.isEmpty()) {
            return;
        }
        for (RevisionEvents re : pending) {
            handOut(re);
        }
        pending.clear();
    }

    private void handOut(RevisionEvents re) {
        for (Consumer<RevisionEvents> l : listeners) {
            try {
                l.accept(re);
            } catch (RuntimeException e) {
                LOG.error("a revision listener failed on revision {}; it stays registered", re.getRevision(), e);
            }
        }
    }

    /**
     * A snapshot replaced the state: reload every cached value from the store. Listeners see
     * no events for the revisions the snapshot skipped; they get the restored revision with no
     * events at once, so they learn of the gap without waiting for the next write, and can
     * fill it from {@link #history} (which travels in the snapshot) or report it as compacted.
     * Called on the loop while nothing applies, so listeners still see revisions in order.
     */
    @Override
    public void restored(long index) {
        load();
        LOG.info("state restored from a snapshot at index {}: revision {}", index, revision);
        handOut(RevisionEvents.newBuilder().setRevision(revision).build());
    }

    // ---------------------------------------------------------------- reads

    /**
     * The revision of the state readers see: every write through it is readable. Advances when
     * the node reports a batch durable ({@link #batchWritten}); a response to a write carries the
     * write's own revision.
     */
    public long revision() {
        return publishedRevision;
    }

    /**
     * The node at {@code path}, with its data and stat.
     *
     * @throws StateException INVALID_PATH or TOO_LARGE for a malformed path
     */
    public Optional<NodeRecord> get(String path) {
        Paths.validateForRead(path, limits.maxPathBytes());
        byte[] key = Keys.node(path);
        // Between batches every batch begun is written, so the cache equals the store; inside
        // one it holds records the store does not have yet, which no reader may see.
        byte[] v = Thread.currentThread() == applyThread && overlay.betweenBatches() ? overlay.get(key) : store.get(key);
        while (true) {
            if (v == null) {
                return path.equals(Paths.ROOT) ? Optional.of(new NodeRecord(path, new byte[0], Znode.emptyRoot().toStat()))
                        : Optional.empty();
            }
            Znode z = Znode.decode(v);
            if (!z.isExternal()) {
                return Optional.of(new NodeRecord(path, z.data().toByteArray(), z.toStat()));
            }
            // Data apart from the record: read it, then make sure the record did not change in
            // between (a batch may have landed), else start over.
            byte[] data = store.get(Keys.data(path));
            byte[] again = store.get(key);
            if (Arrays.equals(v, again)) {
                if (data == null || data.length != z.dataLength) {
                    throw new IllegalStateException("node " + path + " has no data of " + z.dataLength
                            + " bytes under its data key: the store is damaged");
                }
                return Optional.of(new NodeRecord(path, data, z.toStat()));
            }
            v = again;
        }
    }

    /**
     * One page of {@code path}'s children, sorted by name (UTF-8 byte order, which is code
     * point order): those after {@code after} (null or empty: from the first), at most
     * {@code pageSize} (at least 1; the API resolves a client's request against the server's
     * page sizes). Reads only the page (one range read of the children's keys), however many
     * children there are.
     *
     * @throws StateException NO_NODE when {@code path} does not exist; INVALID_PATH or TOO_LARGE
     */
    public ChildrenPage children(String path, int pageSize, String after, boolean withStat) {
        Paths.validateForRead(path, limits.maxPathBytes());
        long rev = publishedRevision;
        if (!path.equals(Paths.ROOT) && store.get(Keys.node(path)) == null) {
            throw new StateException(ErrorReason.NO_NODE, path, "node " + path + " does not exist");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be at least 1, not " + pageSize);
        }
        int size = pageSize;
        byte[] prefix = Keys.childrenPrefix(path);
        byte[] from = prefix;
        if (after != null && !after.isEmpty()) {
            byte[] a = after.getBytes(StandardCharsets.UTF_8);
            // The first key after prefix+after: its name continued by a zero byte.
            from = Arrays.copyOf(prefix, prefix.length + a.length + 1);
            System.arraycopy(a, 0, from, prefix.length, a.length);
        }
        List<Child> out = new ArrayList<>(Math.min(size, 1024));
        boolean[] more = {false};
        store.forEachInRange(from, StateReader.prefixEnd(prefix), size + 1, (k, v) -> {
            if (out.size() == size) {
                more[0] = true;
                return;
            }
            Child.Builder c = Child.newBuilder().setName(Keys.childName(k, prefix.length));
            if (withStat) {
                c.setStat(Znode.decode(v).toStat());
            }
            out.add(c.build());
        });
        String next = more[0] ? out.get(out.size() - 1).getName() : null;
        return new ChildrenPage(out, next, rev);
    }

    /**
     * The oldest revision {@link #history} can still return: a watch may start at any revision
     * at or after it (up to {@code revision() + 1}, the next one). When no history is kept it
     * is {@code revision() + 1}.
     */
    public long compactedRevision() {
        return history.compactedRevision();
    }

    /**
     * The events of revisions {@code fromRevision, fromRevision + 1, ...}, at most
     * {@code maxRevisions} of them, in order and without gaps. It may include revisions written
     * but not yet handed to listeners (at most one batch ahead): de-duplicate by revision when
     * joining it with a listener.
     *
     * @throws StateException COMPACTED when {@code fromRevision < compactedRevision()}
     */
    public List<RevisionEvents> history(long fromRevision, int maxRevisions) {
        return history.read(store, fromRevision, maxRevisions);
    }

    /**
     * Receives every revision's events, in order, once they are durable; called on the thread
     * that applies (the node's apply thread or its raft loop), so it must not block. An
     * exception is logged and the listener kept. A revision always has events, except the one
     * {@link #restored} hands out (on the loop, while nothing applies): a snapshot replaced the
     * state at that revision, and the revisions after the last one handed out, up to and
     * including it, never will be.
     */
    public void addListener(Consumer<RevisionEvents> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Consumer<RevisionEvents> listener) {
        listeners.remove(listener);
    }

    /**
     * Live sessions, id -> ttl_millis: a read-only, weakly consistent live view of the applied
     * commands (it may run up to one batch ahead of what is durable, which is harmless for its
     * use: the leader's liveness tracking, whose expiry proposals are checked again at apply).
     */
    public Map<Long, Long> sessions() {
        return sessions.view();
    }

    /**
     * The user who opened live session {@code id} while auth was on, or null (unknown session,
     * or opened without a user). Weakly consistent, like {@link #sessions()}.
     */
    public String sessionOwner(long id) {
        return sessions.owner(id);
    }

    /**
     * Called on the thread that applies, while applying a TouchSessions command, once per touched
     * session that exists; must not block. Replaces the previous callback.
     */
    public void onTouch(LongConsumer sessionTouched) {
        touched = Objects.requireNonNull(sessionTouched, "sessionTouched");
    }

    /**
     * TTL nodes due at {@code nowMillis} (unmodified for their TTL: {@code mtime + ttl <= now})
     * and without children, soonest first, at most {@code limit}: read from the expiry index,
     * which holds only childless TTL nodes. The leader proposes them as ExpireTtlNodes.
     */
    public List<TtlExpiry> expiredTtlNodes(long nowMillis, int limit) {
        List<TtlExpiry> out = new ArrayList<>();
        store.forEachInRange(Keys.prefix(Keys.TTL), Keys.ttlAfter(nowMillis), limit, (k, v) ->
                out.add(TtlExpiry.newBuilder().setPath(Keys.ttlPath(k)).setModRevision(Keys.getLong(v, 0)).build()));
        return out;
    }

    /** Users, roles and the auth switch, as applied. */
    public AuthStore auth() {
        return auth;
    }

    /** Client addresses members announced: member id -> address; a read-only live view. */
    public Map<Long, String> memberClientAddresses() {
        return members.view();
    }

    /** Where members announced they run (datacenter, zone): member id -> locality; a read-only live view. */
    public Map<Long, Locality> memberLocalities() {
        return members.localities();
    }

    /** The members marked as observers; a read-only live view. */
    public Set<Long> observers() {
        return members.observers();
    }
}
