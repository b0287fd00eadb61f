package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.internal.v1.CommandError;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.node.NotLeaderException;
import io.kvorum.server.state.StateException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    private final Errors errors = new Errors(id -> Map.of(2L, "10.0.0.2:7379").get(id), () -> 1L);

    @Test
    void everyReasonHasTheCodeTheProtoPromises() {
        Map<ErrorReason, Code> expected = Map.ofEntries(
                Map.entry(ErrorReason.NO_NODE, Code.NOT_FOUND),
                Map.entry(ErrorReason.NODE_EXISTS, Code.ALREADY_EXISTS),
                Map.entry(ErrorReason.BAD_VERSION, Code.FAILED_PRECONDITION),
                Map.entry(ErrorReason.NOT_EMPTY, Code.FAILED_PRECONDITION),
                Map.entry(ErrorReason.NO_CHILDREN_FOR_EPHEMERALS, Code.FAILED_PRECONDITION),
                Map.entry(ErrorReason.SESSION_EXPIRED, Code.FAILED_PRECONDITION),
                Map.entry(ErrorReason.INVALID_PATH, Code.INVALID_ARGUMENT),
                Map.entry(ErrorReason.TOO_LARGE, Code.INVALID_ARGUMENT),
                Map.entry(ErrorReason.INVALID_DATA, Code.INVALID_ARGUMENT),
                Map.entry(ErrorReason.COMPACTED, Code.OUT_OF_RANGE),
                Map.entry(ErrorReason.NO_LEADER, Code.UNAVAILABLE),
                Map.entry(ErrorReason.WATCHER_TOO_SLOW, Code.RESOURCE_EXHAUSTED),
                Map.entry(ErrorReason.NOT_LEARNER_CAUGHT_UP, Code.FAILED_PRECONDITION),
                Map.entry(ErrorReason.MEMBERSHIP_REFUSED, Code.FAILED_PRECONDITION),
                Map.entry(ErrorReason.OVERLOADED, Code.RESOURCE_EXHAUSTED),
                Map.entry(ErrorReason.TOO_MANY_STREAMS, Code.RESOURCE_EXHAUSTED),
                Map.entry(ErrorReason.QUOTA_EXCEEDED, Code.RESOURCE_EXHAUSTED),
                Map.entry(ErrorReason.SNAPSHOT_BUSY, Code.RESOURCE_EXHAUSTED),
                Map.entry(ErrorReason.PERMISSION_DENIED, Code.PERMISSION_DENIED),
                Map.entry(ErrorReason.UNAUTHENTICATED, Code.UNAUTHENTICATED),
                Map.entry(ErrorReason.AUTH_NOT_FOUND, Code.NOT_FOUND),
                Map.entry(ErrorReason.AUTH_EXISTS, Code.ALREADY_EXISTS),
                Map.entry(ErrorReason.AUTH_REFUSED, Code.FAILED_PRECONDITION),
                Map.entry(ErrorReason.TOO_MANY_ATTEMPTS, Code.RESOURCE_EXHAUSTED));
        for (ErrorReason r : ErrorReason.values()) {
            if (r == ErrorReason.UNRECOGNIZED || r == ErrorReason.ERROR_REASON_UNSPECIFIED) {
                continue;
            }
            assertEquals(expected.get(r), Errors.codeOf(r), r.name());
        }
    }

    @Test
    void commandErrorCarriesReasonPathAndOpIndex() {
        StatusRuntimeException e = errors.toStatus(new CompletionException(Errors.of(CommandError.newBuilder()
                .setReason(ErrorReason.BAD_VERSION).setMessage("node /a has version 3, not 2").setPath("/a")
                .setOpIndex(1).build())));
        assertEquals(Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("node /a has version 3, not 2", e.getStatus().getDescription());
        ErrorInfo info = ErrorDetails.info(e);
        assertEquals("BAD_VERSION", info.getReason());
        assertEquals(Errors.DOMAIN, info.getDomain());
        assertEquals("/a", info.getMetadataOrThrow("path"));
        assertEquals("1", info.getMetadataOrThrow("op_index"));
    }

    @Test
    void noOpIndexOutsideAMulti() {
        StatusRuntimeException e = Errors.of(CommandError.newBuilder().setReason(ErrorReason.NODE_EXISTS)
                .setMessage("node /a already exists").setPath("/a").setOpIndex(-1).build());
        assertEquals(Code.ALREADY_EXISTS, e.getStatus().getCode());
        assertFalse(ErrorDetails.info(e).containsMetadata("op_index"));
    }

    @Test
    void stateExceptionMaps() {
        StatusRuntimeException e = errors.toStatus(new StateException(ErrorReason.NO_NODE, "/x", "node /x does not exist"));
        assertEquals(Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("/x", ErrorDetails.info(e).getMetadataOrThrow("path"));
    }

    @Test
    void notLeaderNamesTheLeadersClientAddress() {
        StatusRuntimeException e = errors.toStatus(new NotLeaderException("leader changed", 2, "10.0.0.2:7380"));
        assertEquals(Code.UNAVAILABLE, e.getStatus().getCode());
        ErrorInfo info = ErrorDetails.info(e);
        assertEquals("NO_LEADER", info.getReason());
        assertEquals("2", info.getMetadataOrThrow("leader_id"));
        assertEquals("10.0.0.2:7379", info.getMetadataOrThrow("leader_address"), "the client address, not the peer's");
        assertTrue(e.getStatus().getDescription().contains("10.0.0.2:7379"));
    }

    @Test
    void noLeaderKnownSaysSo() {
        StatusRuntimeException e = errors.toStatus(new NotLeaderException("no leader", 0, null));
        assertEquals(Code.UNAVAILABLE, e.getStatus().getCode());
        assertFalse(ErrorDetails.info(e).containsMetadata("leader_id"));
        assertTrue(e.getStatus().getDescription().contains("no leader is known yet"));
        StatusRuntimeException unknownAddress = errors.toStatus(new NotLeaderException("x", 3, "peer"));
        assertEquals("3", ErrorDetails.info(unknownAddress).getMetadataOrThrow("leader_id"));
        assertFalse(ErrorDetails.info(unknownAddress).containsMetadata("leader_address"));
    }

    @Test
    void backPressureOnTheLeaderItselfSaysRetryShortly() {
        StatusRuntimeException e = errors.toStatus(new NotLeaderException("1000 bytes are waiting for a quorum", 1,
                "10.0.0.1:7380"));
        assertEquals(Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("1000 bytes are waiting for a quorum: retry shortly", e.getStatus().getDescription());
    }

    @Test
    void timeoutIsDeadlineExceededAndSaysTheWriteMayApply() {
        StatusRuntimeException e = errors.toStatus(new CompletionException(new TimeoutException()));
        assertEquals(Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("same client id and sequence"));
    }

    @Test
    void unexpectedFailuresAreInternal() {
        assertEquals(Code.INTERNAL, errors.toStatus(new IllegalStateException("bug")).getStatus().getCode());
    }

    @Test
    void longTextIsClippedSoTrailersFit() {
        String path = "/" + "p".repeat(4095);
        StatusRuntimeException e = Errors.of(ErrorReason.NODE_EXISTS, "node " + path + " already exists", "path", path);
        assertTrue(e.getStatus().getDescription().length() <= Errors.MAX_TEXT + 3);
        assertTrue(ErrorDetails.info(e).getMetadataOrThrow("path").length() <= Errors.MAX_TEXT + 3);
    }
}
