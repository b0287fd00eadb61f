package io.kvorum.server.api;

import com.google.protobuf.MessageLite;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.server.state.StateLimits;
import java.nio.charset.StandardCharsets;

/**
 * Checks requests at the door, before anything is proposed: bad input never reaches the log
 * (ZOOKEEPER-3496: an oversize request must not destabilise the cluster). Every check throws
 * INVALID_ARGUMENT with a reason (INVALID_PATH, TOO_LARGE, INVALID_DATA), a message naming the
 * problem and the path, and for a multi the failing op's index. The state machine checks again
 * at apply; this copy exists so that the error is clear and the log stays clean.
 */
public final class RequestValidator {
    /** Digits the server appends to a sequential node's name. */
    static final int SEQUENTIAL_SUFFIX = 10;
    static final int MAX_CLIENT_ID_BYTES = 256;

    private final StateLimits limits;

    public RequestValidator(StateLimits limits) {
        this.limits = limits;
    }

    public void create(CreateRequest r) {
        requestSize(r);
        header(r.getHeader());
        createOp(r, -1);
    }

    public void set(SetRequest r) {
        requestSize(r);
        header(r.getHeader());
        setOp(r, -1);
    }

    public void delete(DeleteRequest r) {
        requestSize(r);
        header(r.getHeader());
        deleteOp(r, -1);
    }

    public void multi(MultiRequest r) {
        requestSize(r);
        header(r.getHeader());
        if (r.getOpsCount() > limits.maxMultiOps()) {
            throw Errors.invalid(ErrorReason.TOO_LARGE, null, "multi has " + r.getOpsCount()
                    + " operations; the limit is " + limits.maxMultiOps());
        }
        for (int i = 0; i < r.getOpsCount(); i++) {
            Op op = r.getOps(i);
            switch (op.getOpCase()) {
                case CHECK -> check(op.getCheck(), i);
                case CREATE -> createOp(op.getCreate(), i);
                case SET -> setOp(op.getSet(), i);
                case DELETE -> deleteOp(op.getDelete(), i);
                case OP_NOT_SET -> throw fail(ErrorReason.INVALID_DATA, null, i,
                        "multi operation " + i + " is empty: set one of check, create, set, delete");
            }
        }
    }

    /** A read: {@code path} may be the root; consistency and min_revision must make sense. */
    public void read(String path, Consistency consistency, long minRevision) {
        path(path, true, 0, -1);
        if (consistency == Consistency.UNRECOGNIZED) {
            throw fail(ErrorReason.INVALID_DATA, path, -1, "consistency of the read of " + PathRules.quote(path)
                    + " is not a known value");
        }
        if (minRevision < 0) {
            throw fail(ErrorReason.INVALID_DATA, path, -1, "min_revision " + minRevision + " of the read of "
                    + PathRules.quote(path) + " is negative");
        }
    }

    public void children(ChildrenRequest r) {
        read(r.getPath(), r.getConsistency(), r.getMinRevision());
        if (r.getPageSize() < 0) {
            throw fail(ErrorReason.INVALID_DATA, r.getPath(), -1, "page_size " + r.getPageSize()
                    + " of the listing of " + PathRules.quote(r.getPath()) + " is negative");
        }
    }

    public void openSession(OpenSessionRequest r) {
        header(r.getHeader());
        long ttl = r.getTtlMillis();
        if (ttl < limits.minSessionTtlMillis() || ttl > limits.maxSessionTtlMillis()) {
            throw fail(ErrorReason.INVALID_DATA, null, -1, "session ttl_millis " + ttl + " is outside the allowed "
                    + limits.minSessionTtlMillis() + ".." + limits.maxSessionTtlMillis() + " ms");
        }
    }

    public void watch(WatchCreate w) {
        path(w.getPath(), true, 0, -1);
        if (w.getStartRevision() < 0) {
            throw fail(ErrorReason.INVALID_DATA, w.getPath(), -1, "start_revision " + w.getStartRevision()
                    + " of the watch on " + PathRules.quote(w.getPath()) + " is negative");
        }
    }

    /** Client id and sequence, which the state machine uses to apply a retried write once. */
    public void header(RequestHeader h) {
        String id = h.getClientId();
        if (id.isEmpty()) {
            if (h.getSequence() != 0 || h.getLowestUnansweredSequence() != 0) {
                throw fail(ErrorReason.INVALID_DATA, null, -1,
                        "header.sequence is set without header.client_id: set both or neither");
            }
            return;
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > MAX_CLIENT_ID_BYTES) {
            throw fail(ErrorReason.TOO_LARGE, null, -1, "header.client_id is longer than " + MAX_CLIENT_ID_BYTES
                    + " bytes");
        }
        if (h.getSequence() == 0) {
            throw fail(ErrorReason.INVALID_DATA, null, -1,
                    "header.sequence must be positive when header.client_id is set");
        }
        if (Long.compareUnsigned(h.getLowestUnansweredSequence(), h.getSequence()) > 0) {
            throw fail(ErrorReason.INVALID_DATA, null, -1, "header.lowest_unanswered_sequence "
                    + Long.toUnsignedString(h.getLowestUnansweredSequence()) + " is above header.sequence "
                    + Long.toUnsignedString(h.getSequence()) + ", which is itself unanswered");
        }
    }

    private void createOp(CreateRequest r, int op) {
        CreateMode mode = r.getMode();
        if (mode == CreateMode.UNRECOGNIZED) {
            throw fail(ErrorReason.INVALID_DATA, r.getPath(), op, "create of " + PathRules.quote(r.getPath())
                    + " has an unknown mode " + r.getModeValue());
        }
        boolean sequential = mode == CreateMode.PERSISTENT_SEQUENTIAL || mode == CreateMode.EPHEMERAL_SEQUENTIAL
                || mode == CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
        String path = r.getPath();
        if (sequential && path.length() > 1 && path.endsWith("/")) {
            // ZooKeeper's "/queue/" form: the node's name is the sequential suffix alone.
            path(path.substring(0, path.length() - 1), true, SEQUENTIAL_SUFFIX + 1, op);
        } else {
            path(path, false, sequential ? SEQUENTIAL_SUFFIX : 0, op);
        }
        value(r.getPath(), r.getData().size(), op);
        String what = "create of " + PathRules.quote(r.getPath()) + " with mode " + mode;
        boolean ephemeral = mode == CreateMode.EPHEMERAL || mode == CreateMode.EPHEMERAL_SEQUENTIAL;
        if (ephemeral && r.getSessionId() == 0) {
            throw fail(ErrorReason.INVALID_DATA, r.getPath(), op, what
                    + " needs session_id: an ephemeral node belongs to a session (open one with Session.Open)");
        }
        if (!ephemeral && r.getSessionId() != 0) {
            throw fail(ErrorReason.INVALID_DATA, r.getPath(), op, what
                    + " sets session_id, which only ephemeral modes use");
        }
        boolean ttlMode = mode == CreateMode.PERSISTENT_WITH_TTL || mode == CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
        if (ttlMode && r.getTtlMillis() <= 0) {
            throw fail(ErrorReason.INVALID_DATA, r.getPath(), op, what + " needs ttl_millis > 0");
        }
        if (!ttlMode && r.getTtlMillis() != 0) {
            throw fail(ErrorReason.INVALID_DATA, r.getPath(), op, what
                    + " sets ttl_millis, which only the *_WITH_TTL modes use");
        }
    }

    private void setOp(SetRequest r, int op) {
        path(r.getPath(), true, 0, op);
        value(r.getPath(), r.getData().size(), op);
        version(r.getPath(), r.getExpectedVersion(), op);
    }

    private void deleteOp(DeleteRequest r, int op) {
        path(r.getPath(), false, 0, op);
        version(r.getPath(), r.getExpectedVersion(), op);
    }

    private void check(CheckOp c, int op) {
        path(c.getPath(), true, 0, op);
        version(c.getPath(), c.getExpectedVersion(), op);
    }

    private void path(String path, boolean rootAllowed, int extraBytes, int op) {
        PathRules.Problem p = PathRules.problem(path, limits.maxPathBytes(), rootAllowed, extraBytes);
        if (p != null) {
            throw fail(p.reason(), path, op, p.message());
        }
    }

    private void value(String path, int size, int op) {
        if (size > limits.maxValueBytes()) {
            throw fail(ErrorReason.TOO_LARGE, path, op, "value for " + PathRules.quote(path) + " is " + size
                    + " bytes; the limit is " + limits.maxValueBytes() + " bytes");
        }
    }

    private void version(String path, long expected, int op) {
        if (expected < -1) {
            throw fail(ErrorReason.INVALID_DATA, path, op, "expected_version " + expected + " for "
                    + PathRules.quote(path) + " is not valid: give the node's version, or -1 for any");
        }
    }

    private void requestSize(MessageLite m) {
        int size = m.getSerializedSize();
        if (size > limits.maxRequestBytes()) {
            throw fail(ErrorReason.TOO_LARGE, null, -1, "request is " + size + " bytes; the limit is "
                    + limits.maxRequestBytes() + " bytes");
        }
    }

    private static StatusRuntimeException fail(ErrorReason reason, String path, int op, String message) {
        String text = op >= 0 ? "multi operation " + op + ": " + message : message;
        return Errors.of(reason, text, "path", path, "op_index", op >= 0 ? Integer.toString(op) : null);
    }
}
