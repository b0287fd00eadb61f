package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.server.state.StateLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestValidatorTest {
    private final StateLimits limits = StateLimits.defaults();
    private final RequestValidator v = new RequestValidator(limits);

    private static CreateRequest create(String path) {
        return CreateRequest.newBuilder().setPath(path).build();
    }

    private static StatusRuntimeException invalid(Runnable r) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, r::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        return e;
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "''         | INVALID_PATH | path is empty",
        "a/b        | INVALID_PATH | is not absolute",
        "/a/        | INVALID_PATH | ends with '/'",
        "/a//b      | INVALID_PATH | empty segment",
        "/a/./b     | INVALID_PATH | '.' segment",
        "/a/..      | INVALID_PATH | '..' segment",
        "/          | INVALID_PATH | root node",
    })
    void malformedPathsAreRefusedWithAMessageNamingTheProblem(String path, String reason, String words) {
        StatusRuntimeException e = invalid(() -> v.create(create(path)));
        assertEquals(reason, ErrorDetails.reason(e));
        assertTrue(e.getStatus().getDescription().contains(words), e.getStatus().getDescription());
        assertEquals(path, ErrorDetails.info(e).getMetadataOrThrow("path"));
    }

    @Test
    void nulAndControlCharactersAreRefused() {
        StatusRuntimeException nul = invalid(() -> v.create(create("/a\u0000b")));
        assertTrue(nul.getStatus().getDescription().contains("NUL"), nul.getStatus().getDescription());
        assertTrue(nul.getStatus().getDescription().contains("\"/a\\u0000b\""), nul.getStatus().getDescription());
        StatusRuntimeException tab = invalid(() -> v.create(create("/a\tb")));
        assertTrue(tab.getStatus().getDescription().contains("U+0009"), tab.getStatus().getDescription());
        invalid(() -> v.create(create("/a\u0085b"))); // C1 control
    }

    @Test
    void unpairedSurrogateIsNotUtf8() {
        StatusRuntimeException e = invalid(() -> v.create(create("/a\ud800")));
        assertEquals("INVALID_DATA", ErrorDetails.reason(e));
        assertTrue(e.getStatus().getDescription().contains("not valid UTF-8"));
        assertDoesNotThrow(() -> v.create(create("/emoji-\ud83d\ude00"))); // a proper pair is fine
    }

    @Test
    void pathLimitCountsUtf8BytesAndTheSequentialSuffix() {
        String ok = "/" + "é".repeat((limits.maxPathBytes() - 1) / 2);
        assertDoesNotThrow(() -> v.create(create(ok)));
        StatusRuntimeException e = invalid(() -> v.create(create(ok + "é")));
        assertEquals("TOO_LARGE", ErrorDetails.reason(e));
        assertTrue(e.getStatus().getDescription().contains("the limit is " + limits.maxPathBytes()));
        String almost = "/" + "a".repeat(limits.maxPathBytes() - 5);
        assertDoesNotThrow(() -> v.create(create(almost)));
        StatusRuntimeException seq = invalid(() -> v.create(create(almost).toBuilder()
                .setMode(CreateMode.PERSISTENT_SEQUENTIAL).build()));
        assertTrue(seq.getStatus().getDescription().contains("sequential suffix"));
    }

    @Test
    void hugePathsAreQuotedShortly() {
        String huge = "/" + "x".repeat(100_000);
        StatusRuntimeException e = invalid(() -> v.create(create(huge)));
        assertTrue(e.getStatus().getDescription().length() < 600, "message stays readable");
        assertTrue(ErrorDetails.info(e).getMetadataOrThrow("path").length() <= Errors.MAX_TEXT + 3);
    }

    @Test
    void sequentialQueueFormIsAccepted() {
        assertDoesNotThrow(() -> v.create(create("/queue/").toBuilder().setMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .build()));
        invalid(() -> v.create(create("/queue/")));
    }

    @Test
    void valueOverTheLimitIsTooLarge() {
        ByteString big = ByteString.copyFrom(new byte[limits.maxValueBytes() + 1]);
        StatusRuntimeException e = invalid(() -> v.create(create("/big").toBuilder().setData(big).build()));
        assertEquals("TOO_LARGE", ErrorDetails.reason(e));
        assertTrue(e.getStatus().getDescription().contains("\"/big\" is " + (limits.maxValueBytes() + 1) + " bytes"));
        invalid(() -> v.set(SetRequest.newBuilder().setPath("/big").setData(big).setExpectedVersion(-1).build()));
        assertDoesNotThrow(() -> v.create(create("/ok").toBuilder()
                .setData(ByteString.copyFrom(new byte[limits.maxValueBytes()])).build()));
    }

    @Test
    void requestOverTheLimitIsTooLarge() {
        RequestValidator small = new RequestValidator(new StateLimits(4096, 1000, 2000, 128, 10, 10, 10, 1, 10));
        MultiRequest.Builder m = MultiRequest.newBuilder();
        for (int i = 0; i < 3; i++) {
            m.addOps(Op.newBuilder().setCreate(create("/n" + i).toBuilder()
                    .setData(ByteString.copyFrom(new byte[900]))));
        }
        StatusRuntimeException e = invalid(() -> small.multi(m.build()));
        assertEquals("TOO_LARGE", ErrorDetails.reason(e));
        assertTrue(e.getStatus().getDescription().startsWith("request is "));
    }

    @Test
    void ephemeralsNeedASessionAndOthersMustNotSetOne() {
        StatusRuntimeException e = invalid(() -> v.create(create("/e").toBuilder().setMode(CreateMode.EPHEMERAL)
                .build()));
        assertTrue(e.getStatus().getDescription().contains("needs session_id"));
        invalid(() -> v.create(create("/p").toBuilder().setSessionId(5).build()));
        assertDoesNotThrow(() -> v.create(create("/e").toBuilder().setMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .setSessionId(5).build()));
    }

    @Test
    void ttlGoesWithTtlModesOnly() {
        invalid(() -> v.create(create("/t").toBuilder().setMode(CreateMode.PERSISTENT_WITH_TTL).build()));
        invalid(() -> v.create(create("/t").toBuilder().setTtlMillis(1000).build()));
        invalid(() -> v.create(create("/t").toBuilder().setModeValue(99).build()));
        assertDoesNotThrow(() -> v.create(create("/t").toBuilder().setMode(CreateMode.PERSISTENT_WITH_TTL)
                .setTtlMillis(1000).build()));
    }

    @Test
    void multiNamesTheFailingOperation() {
        MultiRequest m = MultiRequest.newBuilder()
                .addOps(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/a").setExpectedVersion(-1)))
                .addOps(Op.newBuilder().setSet(SetRequest.newBuilder().setPath("/b").setExpectedVersion(-1)))
                .addOps(Op.newBuilder().setDelete(DeleteRequest.newBuilder().setPath("c").setExpectedVersion(-1)))
                .build();
        StatusRuntimeException e = invalid(() -> v.multi(m));
        assertEquals("2", ErrorDetails.info(e).getMetadataOrThrow("op_index"));
        assertTrue(e.getStatus().getDescription().startsWith("multi operation 2: "));
        StatusRuntimeException empty = invalid(() -> v.multi(MultiRequest.newBuilder().addOps(Op.getDefaultInstance())
                .build()));
        assertEquals("0", ErrorDetails.info(empty).getMetadataOrThrow("op_index"));
    }

    @Test
    void multiOpCountIsLimited() {
        MultiRequest.Builder m = MultiRequest.newBuilder();
        for (int i = 0; i <= limits.maxMultiOps(); i++) {
            m.addOps(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/a").setExpectedVersion(-1)));
        }
        StatusRuntimeException e = invalid(() -> v.multi(m.build()));
        assertEquals("TOO_LARGE", ErrorDetails.reason(e));
        assertTrue(e.getStatus().getDescription().contains("the limit is " + limits.maxMultiOps()));
    }

    @Test
    void versionsBelowMinusOneAreRefused() {
        invalid(() -> v.set(SetRequest.newBuilder().setPath("/a").setExpectedVersion(-2).build()));
        assertDoesNotThrow(() -> v.set(SetRequest.newBuilder().setPath("/a").setExpectedVersion(-1).build()));
    }

    @Test
    void headerNeedsASequenceWithAClientId() {
        invalid(() -> v.header(RequestHeader.newBuilder().setClientId("c").build()));
        invalid(() -> v.header(RequestHeader.newBuilder().setSequence(3).build()));
        invalid(() -> v.header(RequestHeader.newBuilder().setClientId("c").setSequence(3)
                .setLowestUnansweredSequence(4).build()));
        invalid(() -> v.header(RequestHeader.newBuilder().setClientId("x".repeat(300)).setSequence(1).build()));
        assertDoesNotThrow(() -> v.header(RequestHeader.newBuilder().setClientId("c").setSequence(3)
                .setLowestUnansweredSequence(3).build()));
    }

    @Test
    void readsAcceptTheRootAndRefuseNegativeRevisions() {
        assertDoesNotThrow(() -> v.read("/", Consistency.LINEARIZABLE, 0));
        invalid(() -> v.read("/a", Consistency.SERIALIZABLE, -1));
        invalid(() -> v.read("/a", Consistency.UNRECOGNIZED, 0));
    }

    @Test
    void sessionTtlMustBeInRange() {
        invalid(() -> v.openSession(OpenSessionRequest.newBuilder().setTtlMillis(limits.minSessionTtlMillis() - 1)
                .build()));
        invalid(() -> v.openSession(OpenSessionRequest.newBuilder().setTtlMillis(limits.maxSessionTtlMillis() + 1)
                .build()));
        assertDoesNotThrow(() -> v.openSession(OpenSessionRequest.newBuilder()
                .setTtlMillis(limits.minSessionTtlMillis()).build()));
    }

    @Test
    void watchesAcceptTheRoot() {
        assertDoesNotThrow(() -> v.watch(WatchCreate.newBuilder().setPath("/").setRecursive(true).build()));
        invalid(() -> v.watch(WatchCreate.newBuilder().setPath("/a").setStartRevision(-1).build()));
        invalid(() -> v.watch(WatchCreate.newBuilder().setPath("a").build()));
    }
}
