package io.kvorum.server.state;

import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import io.kvorum.proto.v1.Stat;


/**
 * The znode operations (create, set, delete, check) against one command's {@link Txn}, with
 * everything that must change together: the parent's stat, the expiry and ephemeral indexes,
 * external data, the events. Responses carry no header; the caller sets it.
 *
 * <p>Invariants kept here: a node's {@code numChildren} is the number of its child keys; a node
 * is in the TTL index exactly when it is a TTL node without children, under its current
 * {@code mtime + ttl} with its current {@code modRevision}; a node is in the ephemeral index
 * under its owner exactly when it is ephemeral; an ephemeral node has no children; a parent's
 * sequence counter only increases.
 */
final class TreeOps {
    private final StateLimits limits;
    private final Sessions sessions;

    TreeOps(StateLimits limits, Sessions sessions) {
        this.limits = limits;
        this.sessions = sessions;
    }

    // ---------------------------------------------------------------- create

    CreateResponse create(Txn t, CreateRequest r) {
        CreateMode mode = r.getMode();
        if (mode == CreateMode.UNRECOGNIZED) {
            throw new CommandFailure(ErrorReason.INVALID_DATA, r.getPath(), "unknown create mode "
                    + r.getModeValue());
        }
        boolean sequential = isSequential(mode);
        String path = r.getPath();
        String parentPath;
        String name;
        if (sequential && path.endsWith("/")) {
            // ZooKeeper's "/queue/" form: the name is the suffix alone.
            parentPath = path.length() == 1 ? Paths.ROOT : path.substring(0, path.length() - 1);
            Paths.validate(parentPath, limits.maxPathBytes());
            name = "";
        } else {
            Paths.validate(path, limits.maxPathBytes());
            if (path.equals(Paths.ROOT)) {
                throw new CommandFailure(ErrorReason.INVALID_PATH, path,
                        "the root / always exists: it cannot be created");
            }
            parentPath = Paths.parent(path);
            name = Paths.name(path);
        }
        ByteString data = r.getData();
        checkDataSize(data, path);
        boolean ttlMode = mode == CreateMode.PERSISTENT_WITH_TTL || mode == CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
        if (ttlMode && r.getTtlMillis() <= 0) {
            throw new CommandFailure(ErrorReason.INVALID_DATA, path, "mode " + mode + " needs ttl_millis > 0, got "
                    + r.getTtlMillis());
        }
        if (!ttlMode && r.getTtlMillis() != 0) {
            throw new CommandFailure(ErrorReason.INVALID_DATA, path, "ttl_millis is only for TTL modes, not " + mode);
        }
        boolean ephemeral = mode == CreateMode.EPHEMERAL || mode == CreateMode.EPHEMERAL_SEQUENTIAL;
        if (ephemeral && (r.getSessionId() == 0 || !sessions.exists(r.getSessionId()))) {
            throw new CommandFailure(ErrorReason.SESSION_EXPIRED, path, "session " + r.getSessionId()
                    + " is unknown, closed or expired: open a new session to create ephemeral nodes");
        }
        if (ephemeral) {
            sessions.checkCaller(t, r.getSessionId(), path, "create ephemeral nodes in");
        }

        Znode parent = t.node(parentPath);
        if (parent == null) {
            throw new CommandFailure(ErrorReason.NO_NODE, parentPath, "cannot create " + path + ": parent node "
                    + parentPath + " does not exist");
        }
        if (parent.isEphemeral()) {
            throw new CommandFailure(ErrorReason.NO_CHILDREN_FOR_EPHEMERALS, parentPath, "cannot create " + path
                    + ": parent " + parentPath + " is ephemeral, and ephemeral nodes cannot have children");
        }
        Znode newParent = parent.copy();
        if (sequential) {
            name = name + Paths.sequenceSuffix(parent.sequence);
            newParent.sequence = parent.sequence + 1;
        }
        String created = sequential ? Paths.child(parentPath, name) : path;
        if (sequential) {
            Paths.checkLength(created, limits.maxPathBytes());
        }
        if (t.node(created) != null) {
            throw new CommandFailure(ErrorReason.NODE_EXISTS, created, "node " + created + " already exists");
        }

        Znode z = new Znode();
        z.mode = mode;
        z.createRevision = t.revision;
        z.modRevision = t.revision;
        z.ephemeralOwner = ephemeral ? r.getSessionId() : 0;
        z.ctime = t.timeMillis;
        z.mtime = t.timeMillis;
        z.ttl = ttlMode ? r.getTtlMillis() : 0;
        z.setData(data);
        write(t, created, null, z, true);

        newParent.childrenVersion++;
        newParent.numChildren++;
        write(t, parentPath, parent, newParent, false);

        Stat stat = z.toStat();
        t.event(Event.newBuilder().setType(Event.Type.CREATED).setPath(created).setData(data).setStat(stat));
        childrenChanged(t, parentPath, newParent);
        return CreateResponse.newBuilder().setPath(created).setStat(stat).build();
    }

    // ---------------------------------------------------------------- set

    SetResponse set(Txn t, SetRequest r) {
        String path = r.getPath();
        Paths.validate(path, limits.maxPathBytes());
        checkDataSize(r.getData(), path);
        Znode z = existing(t, path);
        checkVersion(path, z, r.getExpectedVersion());
        Znode after = z.copy();
        after.setData(r.getData());
        after.version++;
        after.modRevision = t.revision;
        after.mtime = t.timeMillis;
        write(t, path, z, after, true);
        Stat stat = after.toStat();
        t.event(Event.newBuilder().setType(Event.Type.CHANGED).setPath(path).setData(r.getData()).setStat(stat));
        return SetResponse.newBuilder().setStat(stat).build();
    }

    // ---------------------------------------------------------------- delete

    DeleteResponse delete(Txn t, DeleteRequest r) {
        String path = r.getPath();
        Paths.validate(path, limits.maxPathBytes());
        if (path.equals(Paths.ROOT)) {
            throw new CommandFailure(ErrorReason.INVALID_PATH, path, "the root / cannot be deleted");
        }
        Znode z = existing(t, path);
        checkVersion(path, z, r.getExpectedVersion());
        if (z.numChildren > 0) {
            throw new CommandFailure(ErrorReason.NOT_EMPTY, path, "node " + path + " has " + z.numChildren
                    + " children: delete them first");
        }
        remove(t, path, z);
        return DeleteResponse.getDefaultInstance();
    }

    /**
     * Deletes the childless node {@code z} at {@code path} with everything that goes with it;
     * shared by delete, session end and TTL expiry. A container parent left without children
     * is noted, and deleted by {@link #deleteEmptiedContainers} once the command's operations
     * all ran (so a multi may delete a container's last child and create another).
     */
    void remove(Txn t, String path, Znode z) {
        t.removeNode(path);
        if (z.isExternal()) {
            t.delete(Keys.data(path));
        }
        if (z.inTtlIndex()) {
            t.delete(Keys.ttl(z.expireAt(), path));
        }
        if (z.isEphemeral()) {
            t.delete(Keys.ephemeral(z.ephemeralOwner, path));
        }
        String parentPath = Paths.parent(path);
        Znode parent = t.node(parentPath);
        if (parent == null) {
            throw new IllegalStateException("node " + path + " exists without its parent " + parentPath);
        }
        Znode newParent = parent.copy();
        newParent.childrenVersion++;
        newParent.numChildren--;
        write(t, parentPath, parent, newParent, false);
        t.event(Event.newBuilder().setType(Event.Type.DELETED).setPath(path));
        childrenChanged(t, parentPath, newParent);
        if (newParent.isContainer() && newParent.numChildren == 0) {
            t.emptiedContainers.add(parentPath);
        }
    }

    /** Deletes the containers this command left without children, cascading up. */
    void deleteEmptiedContainers(Txn t) {
        // remove() appends parents that become empty in turn, so this walks up the tree.
        for (int i = 0; i < t.emptiedContainers.size(); i++) {
            String path = t.emptiedContainers.get(i);
            Znode z = t.node(path);
            if (z != null && z.isContainer() && z.numChildren == 0) {
                remove(t, path, z);
            }
        }
    }

    // ---------------------------------------------------------------- check

    Stat check(Txn t, CheckOp c) {
        Paths.validate(c.getPath(), limits.maxPathBytes());
        Znode z = existing(t, c.getPath());
        checkVersion(c.getPath(), z, c.getExpectedVersion());
        return z.toStat();
    }

    // ---------------------------------------------------------------- shared

    static boolean isSequential(CreateMode mode) {
        return mode == CreateMode.PERSISTENT_SEQUENTIAL || mode == CreateMode.EPHEMERAL_SEQUENTIAL
                || mode == CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    }

    private static Znode existing(Txn t, String path) {
        Znode z = t.node(path);
        if (z == null) {
            throw new CommandFailure(ErrorReason.NO_NODE, path, "node " + path + " does not exist");
        }
        return z;
    }

    private static void checkVersion(String path, Znode z, long expected) {
        if (expected != -1 && expected != z.version) {
            throw new CommandFailure(ErrorReason.BAD_VERSION, path, "node " + path + " has version " + z.version
                    + ", not the expected " + expected);
        }
    }

    private void checkDataSize(ByteString data, String path) {
        if (data.size() > limits.maxValueBytes()) {
            throw new CommandFailure(ErrorReason.TOO_LARGE, path, "data of " + data.size()
                    + " bytes is over the limit of " + limits.maxValueBytes() + " bytes");
        }
    }

    private static void childrenChanged(Txn t, String parentPath, Znode parent) {
        t.event(Event.newBuilder().setType(Event.Type.CHILDREN_CHANGED).setPath(parentPath).setStat(parent.toStat()));
    }

    /**
     * Writes {@code after} over {@code before} (null: a new node) and moves the indexes and the
     * external data with it. {@code dataChanged}: {@code after} carries new data to store.
     */
    private static void write(Txn t, String path, Znode before, Znode after, boolean dataChanged) {
        t.putNode(path, after);
        if (after.isExternal()) {
            if (dataChanged) {
                t.put(Keys.data(path), after.data().toByteArray());
            }
        } else if (before != null && before.isExternal()) {
            t.delete(Keys.data(path));
        }
        boolean wasIndexed = before != null && before.inTtlIndex();
        boolean sameEntry = wasIndexed && after.inTtlIndex() && before.expireAt() == after.expireAt()
                && before.modRevision == after.modRevision;
        if (wasIndexed && !sameEntry) {
            t.delete(Keys.ttl(before.expireAt(), path));
        }
        if (after.inTtlIndex() && !sameEntry) {
            t.put(Keys.ttl(after.expireAt(), path), Keys.longValue(after.modRevision));
        }
        if (before == null && after.isEphemeral()) {
            t.put(Keys.ephemeral(after.ephemeralOwner, path), new byte[0]);
        }
    }
}
