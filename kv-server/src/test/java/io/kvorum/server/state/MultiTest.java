package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.multi;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.OpResult;
import io.kvorum.proto.v1.SetRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Multi: all operations at one revision, or none of them. */
class MultiTest {
    @TempDir
    Path dir;
    StateHarness h;

    @BeforeEach
    void open() {
        h = new StateHarness(dir);
        h.ok(StateHarness.create("/a", "a0", CreateMode.PERSISTENT));
    }

    @AfterEach
    void close() {
        h.close();
    }

    static Op check(String path, long version) {
        return Op.newBuilder().setCheck(CheckOp.newBuilder().setPath(path).setExpectedVersion(version)).build();
    }

    static Op create(String path) {
        return Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath(path)).build();
    }

    static Op set(String path, String data, long version) {
        return Op.newBuilder().setSet(SetRequest.newBuilder().setPath(path).setData(StateHarness.bytes(data))
                .setExpectedVersion(version)).build();
    }

    static Op delete(String path) {
        return Op.newBuilder().setDelete(DeleteRequest.newBuilder().setPath(path).setExpectedVersion(-1)).build();
    }

    @Test
    void allOperationsApplyAtOneRevisionWithOneResultEach() {
        CommandResult r = h.ok(multi(check("/a", 0), create("/b"), set("/a", "a1", 0), create("/b/c"), delete("/b/c")));
        assertEquals(2, r.getMulti().getHeader().getRevision());
        assertEquals(2, h.state.revision());
        List<OpResult.ResultCase> kinds = r.getMulti().getResultsList().stream().map(OpResult::getResultCase).toList();
        assertEquals(List.of(OpResult.ResultCase.CHECK, OpResult.ResultCase.CREATE, OpResult.ResultCase.SET,
                OpResult.ResultCase.CREATE, OpResult.ResultCase.DELETE), kinds);
        assertEquals("a1", h.data("/a"));
        assertTrue(h.exists("/b"));
        assertFalse(h.exists("/b/c"));
        RevisionEvents events = h.state.history(2, 10).get(0);
        assertTrue(events.getEventsList().stream().allMatch(e -> e.getRevision() == 2));
        assertEquals(2, h.stat("/b").getCreateRevision());
        assertEquals(2, h.stat("/a").getModRevision());
    }

    @Test
    void aFailingOperationAppliesNoneAndNamesItsIndex() {
        var before = h.dump();
        CommandResult r = h.fails(ErrorReason.BAD_VERSION, multi(create("/b"), set("/a", "x", -1), check("/a", 0)));
        assertEquals(2, r.getError().getOpIndex());
        assertEquals("/a", r.getError().getPath());
        assertEquals(before, h.dump());
        assertEquals(1, h.state.revision());
    }

    @Test
    void laterOperationsSeeEarlierOnes() {
        h.ok(multi(create("/x"), create("/x/y"), check("/x/y", 0), set("/x/y", "v", 0), check("/x/y", 1)));
        assertEquals("v", h.data("/x/y"));
        assertEquals(1, h.stat("/x").getNumChildren());
    }

    @Test
    void aCreateOfWhatAnEarlierOperationCreatedFailsWithNodeExists() {
        CommandResult r = h.fails(ErrorReason.NODE_EXISTS, multi(create("/b"), create("/b")));
        assertEquals(1, r.getError().getOpIndex());
        assertFalse(h.exists("/b"));
    }

    @Test
    void aCheckOfAMissingNodeFailsWithNoNode() {
        assertEquals(0, h.fails(ErrorReason.NO_NODE, multi(check("/nope", -1), create("/b"))).getError().getOpIndex());
    }

    @Test
    void moreOperationsThanTheLimitIsTooLarge() {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i <= StateLimits.defaults().maxMultiOps(); i++) {
            ops.add(create("/n" + i));
        }
        h.fails(ErrorReason.TOO_LARGE, multi(ops.toArray(Op[]::new)));
        assertFalse(h.exists("/n0"));
    }

    @Test
    void anEmptyOperationIsInvalidData() {
        assertEquals(1, h.fails(ErrorReason.INVALID_DATA, multi(create("/b"), Op.getDefaultInstance()))
                .getError().getOpIndex());
    }

    @Test
    void sequentialCreatesInOneMultiGetConsecutiveSuffixes() {
        Op seq = Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/a/s-")
                .setMode(CreateMode.PERSISTENT_SEQUENTIAL)).build();
        CommandResult r = h.ok(multi(seq, seq));
        assertEquals("/a/s-0000000000", r.getMulti().getResults(0).getCreate().getPath());
        assertEquals("/a/s-0000000001", r.getMulti().getResults(1).getCreate().getPath());
    }

    @Test
    void aFailedMultiDoesNotUseUpSequentialSuffixes() {
        Op seq = Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/a/s-")
                .setMode(CreateMode.PERSISTENT_SEQUENTIAL)).build();
        h.fails(ErrorReason.NO_NODE, multi(seq, check("/nope", -1)));
        assertEquals("/a/s-0000000000", h.ok(multi(seq)).getMulti().getResults(0).getCreate().getPath());
    }
}
