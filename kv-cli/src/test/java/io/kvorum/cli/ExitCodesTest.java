package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.client.BadVersionException;
import io.kvorum.client.ClusterUnavailableException;
import io.kvorum.client.DeadlineExceededException;
import io.kvorum.client.InvalidArgumentException;
import io.kvorum.client.KvorumException;
import io.kvorum.client.MembershipChangeException;
import io.kvorum.client.NoChildrenForEphemeralsException;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.NotEmptyException;
import io.kvorum.client.PermissionDeniedException;
import io.kvorum.client.SessionExpiredException;
import io.kvorum.client.UnauthenticatedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which client failure exits with which code. The cluster tests reach 2 to 6 for real; the
 * server has no authentication yet, so 7 is checked here only.
 */
class ExitCodesTest {
    @Test
    void eachFailureHasItsCode() {
        assertEquals(3, ExitCodes.of(new NoNodeException("m", null, "NO_NODE", "/a", -1)));
        assertEquals(4, ExitCodes.of(new NodeExistsException("m", null, "NODE_EXISTS", "/a", -1)));
        assertEquals(5, ExitCodes.of(new BadVersionException("m", null, "BAD_VERSION", "/a", -1)));
        assertEquals(5, ExitCodes.of(new NotEmptyException("m", null, "NOT_EMPTY", "/a", -1)));
        assertEquals(5, ExitCodes.of(new NoChildrenForEphemeralsException("m", null, "NO_CHILDREN_FOR_EPHEMERALS",
                "/a", -1)));
        assertEquals(5, ExitCodes.of(new MembershipChangeException("m", null, "MEMBERSHIP_REFUSED", null, -1)));
        assertEquals(6, ExitCodes.of(new ClusterUnavailableException("m", null, null, List.of(), false)));
        assertEquals(6, ExitCodes.of(new DeadlineExceededException("m", null, List.of())));
        assertEquals(7, ExitCodes.of(new PermissionDeniedException("m", null, null, "/a", -1)));
        assertEquals(7, ExitCodes.of(new UnauthenticatedException("m", null, null, null, -1)));
        assertEquals(2, ExitCodes.of(new InvalidArgumentException("m", null, "INVALID_PATH", "a", -1)));
        assertEquals(1, ExitCodes.of(new SessionExpiredException("m", null, "SESSION_EXPIRED", null, -1)));
        assertEquals(1, ExitCodes.of(new KvorumException("m")));
        assertEquals(1, ExitCodes.of(new IllegalStateException("m")));
    }

    @Test
    void errorsReadAsOneSentence() {
        assertEquals("get /a failed: node /a does not exist",
                Errors.sentence(new java.util.concurrent.CompletionException(new NoNodeException(
                        "get /a failed: node /a does not exist.", null, "NO_NODE", "/a", -1))));
        assertEquals("IllegalStateException", Errors.sentence(new IllegalStateException()));
    }
}
