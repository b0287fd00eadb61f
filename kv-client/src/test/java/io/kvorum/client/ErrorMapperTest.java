package io.kvorum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.grpc.Status;
import io.kvorum.client.fake.Errs;
import io.kvorum.proto.v1.ErrorReason;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each server reason, and each bare gRPC code, becomes its typed exception. */
class ErrorMapperTest {
    private static KvorumException map(ErrorReason reason, Status.Code code) {
        return ErrorMapper.toException(ErrorDetails.of(Errs.of(code, reason, "m", "path", "/p", "op_index", "2")), "op");
    }

    private static KvorumException bare(Status.Code code) {
        return ErrorMapper.toException(ErrorDetails.of(Status.fromCode(code).asRuntimeException()), "op");
    }

    @Test
    void reasonsDecide() {
        assertInstanceOf(NoNodeException.class, map(ErrorReason.NO_NODE, Status.Code.NOT_FOUND));
        assertInstanceOf(NodeExistsException.class, map(ErrorReason.NODE_EXISTS, Status.Code.ALREADY_EXISTS));
        assertInstanceOf(BadVersionException.class, map(ErrorReason.BAD_VERSION, Status.Code.FAILED_PRECONDITION));
        assertInstanceOf(NotEmptyException.class, map(ErrorReason.NOT_EMPTY, Status.Code.FAILED_PRECONDITION));
        assertInstanceOf(NoChildrenForEphemeralsException.class,
                map(ErrorReason.NO_CHILDREN_FOR_EPHEMERALS, Status.Code.FAILED_PRECONDITION));
        assertInstanceOf(SessionExpiredException.class, map(ErrorReason.SESSION_EXPIRED, Status.Code.FAILED_PRECONDITION));
        assertInstanceOf(InvalidArgumentException.class, map(ErrorReason.INVALID_PATH, Status.Code.INVALID_ARGUMENT));
        assertInstanceOf(InvalidArgumentException.class, map(ErrorReason.TOO_LARGE, Status.Code.INVALID_ARGUMENT));
        assertInstanceOf(CompactedException.class, map(ErrorReason.COMPACTED, Status.Code.OUT_OF_RANGE));
        assertInstanceOf(ClusterUnavailableException.class, map(ErrorReason.NO_LEADER, Status.Code.UNAVAILABLE));
        assertInstanceOf(MembershipChangeException.class,
                map(ErrorReason.MEMBERSHIP_REFUSED, Status.Code.FAILED_PRECONDITION));
        KvorumException e = map(ErrorReason.BAD_VERSION, Status.Code.FAILED_PRECONDITION);
        assertEquals("/p", e.path());
        assertEquals(2, e.opIndex());
        assertEquals(KvorumException.Reason.BAD_VERSION, e.reason());
        assertEquals("BAD_VERSION", e.reasonName());
    }

    @Test
    void codesDecideWithoutAReason() {
        assertInstanceOf(PermissionDeniedException.class, bare(Status.Code.PERMISSION_DENIED));
        assertInstanceOf(UnauthenticatedException.class, bare(Status.Code.UNAUTHENTICATED));
        assertInstanceOf(DeadlineExceededException.class, bare(Status.Code.DEADLINE_EXCEEDED));
        assertInstanceOf(ClusterUnavailableException.class, bare(Status.Code.UNAVAILABLE));
        assertInstanceOf(InvalidArgumentException.class, bare(Status.Code.INVALID_ARGUMENT));
        assertEquals(KvorumException.class, bare(Status.Code.INTERNAL).getClass());
    }

    @Test
    void leaderHintsAreRead() {
        ErrorDetails d = ErrorDetails.of(Errs.noLeader("10.0.0.3:7379"));
        assertEquals("10.0.0.3:7379", d.leaderAddress());
        assertEquals(true, d.isNoLeader());
        assertEquals(Map.of("leader_address", "10.0.0.3:7379"), d.metadata());
    }
}
