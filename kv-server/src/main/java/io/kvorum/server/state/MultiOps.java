package io.kvorum.server.state;

import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.OpResult;

/**
 * A multi: its operations run in order against one {@link Txn}, each seeing the earlier ones'
 * effects, so the whole list applies at one revision or, if any operation fails, not at all
 * (the failure names the operation's index). A multi of checks only changes nothing and does
 * not advance the revision.
 */
final class MultiOps {
    private final StateLimits limits;
    private final TreeOps tree;

    MultiOps(StateLimits limits, TreeOps tree) {
        this.limits = limits;
        this.tree = tree;
    }

    /** The results, in order; the caller sets the header. Throws the first failure. */
    MultiResponse.Builder apply(Txn t, MultiRequest m) {
        int n = m.getOpsCount();
        if (n > limits.maxMultiOps()) {
            throw new CommandFailure(ErrorReason.TOO_LARGE, "", "multi of " + n + " operations is over the limit of "
                    + limits.maxMultiOps());
        }
        MultiResponse.Builder out = MultiResponse.newBuilder();
        for (int i = 0; i < n; i++) {
            Op op = m.getOps(i);
            try {
                OpResult.Builder r = OpResult.newBuilder();
                switch (op.getOpCase()) {
                    case CHECK -> r.setCheck(tree.check(t, op.getCheck()));
                    case CREATE -> r.setCreate(tree.create(t, op.getCreate()));
                    case SET -> r.setSet(tree.set(t, op.getSet()));
                    case DELETE -> r.setDelete(tree.delete(t, op.getDelete()));
                    case OP_NOT_SET -> throw new CommandFailure(ErrorReason.INVALID_DATA, "",
                            "multi operation " + i + " carries no operation");
                }
                out.addResults(r);
            } catch (CommandFailure f) {
                throw f.atOp(i);
            }
        }
        return out;
    }
}
