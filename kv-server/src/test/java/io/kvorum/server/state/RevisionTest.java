package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static io.kvorum.server.state.StateHarness.multi;
import static io.kvorum.server.state.StateHarness.openSession;
import static io.kvorum.server.state.StateHarness.set;
import static io.kvorum.server.state.StateHarness.touch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.MemberClientAddress;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Op;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** One cluster-wide revision, advanced by exactly the commands that change the tree. */
class RevisionTest {
    @TempDir
    Path dir;
    StateHarness h;

    @BeforeEach
    void open() {
        h = new StateHarness(dir);
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void aNewStateIsAtRevisionZero() {
        assertEquals(0, h.state.revision());
    }

    @Test
    void everyWriteAdvancesTheRevisionByOne() {
        h.ok(create("/a"));
        assertEquals(1, h.state.revision());
        h.ok(set("/a", "x", -1));
        assertEquals(2, h.state.revision());
        h.ok(delete("/a", -1));
        assertEquals(3, h.state.revision());
    }

    @Test
    void failedCommandsDoNotAdvanceTheRevision() {
        h.ok(create("/a"));
        h.fails(ErrorReason.NODE_EXISTS, create("/a"));
        h.fails(ErrorReason.BAD_VERSION, set("/a", "x", 9));
        h.runRaw(new byte[] {(byte) 0xFF, 0x01});
        assertEquals(1, h.state.revision());
    }

    @Test
    void sessionsTouchesAndMemberAddressesDoNotAdvanceTheRevision() {
        h.ok(create("/a"));
        long s = h.openSessionId(10_000);
        h.ok(touch(s));
        h.ok(Command.newBuilder().setMemberClientAddress(MemberClientAddress.newBuilder().setMemberId(1)
                .setClientAddress("127.0.0.1:7379")));
        h.ok(StateHarness.closeSession(s));
        assertEquals(1, h.state.revision());
    }

    @Test
    void answersCarryTheRevisionTheyReflect() {
        h.ok(create("/a"));
        assertEquals(1, h.ok(openSession(10_000)).getOpenSession().getHeader().getRevision());
        assertEquals(2, h.ok(set("/a", "x", -1)).getSet().getHeader().getRevision());
        assertEquals(2, h.ok(touch()).getDone().getRevision());
        assertEquals(3, h.ok(delete("/a", -1)).getDelete().getHeader().getRevision());
    }

    @Test
    void aMultiOfChecksOnlyDoesNotAdvanceTheRevision() {
        h.ok(create("/a"));
        var r = h.ok(multi(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/a").setExpectedVersion(0)).build()));
        assertEquals(1, r.getMulti().getHeader().getRevision());
        assertEquals(1, h.state.revision());
    }

    @Test
    void memberAddressesAreStoredAndForgottenWhenEmpty() {
        h.ok(Command.newBuilder().setMemberClientAddress(MemberClientAddress.newBuilder().setMemberId(2)
                .setClientAddress("10.0.0.2:7379")));
        h.ok(Command.newBuilder().setMemberClientAddress(MemberClientAddress.newBuilder().setMemberId(3)
                .setClientAddress("10.0.0.3:7379")));
        assertEquals(Map.of(2L, "10.0.0.2:7379", 3L, "10.0.0.3:7379"), h.state.memberClientAddresses());
        h.ok(Command.newBuilder().setMemberClientAddress(MemberClientAddress.newBuilder().setMemberId(3)));
        h.reopen();
        assertEquals(Map.of(2L, "10.0.0.2:7379"), h.state.memberClientAddresses());
    }
}
