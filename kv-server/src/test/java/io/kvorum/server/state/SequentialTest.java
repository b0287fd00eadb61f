package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.ErrorReason;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Sequential names: a 10-digit suffix from a per-parent counter that never goes back. */
class SequentialTest {
    @TempDir
    Path dir;
    StateHarness h;

    @BeforeEach
    void open() {
        h = new StateHarness(dir);
        h.ok(create("/q"));
    }

    @AfterEach
    void close() {
        h.close();
    }

    private String seq(String path) {
        return h.ok(create(path, "", CreateMode.PERSISTENT_SEQUENTIAL)).getCreate().getPath();
    }

    @Test
    void theSuffixIsTenZeroPaddedDigitsStartingAtZero() {
        assertEquals("/q/job-0000000000", seq("/q/job-"));
        assertEquals("/q/job-0000000001", seq("/q/job-"));
        assertEquals("/q/other0000000002", seq("/q/other"), "one counter per parent, whatever the prefix");
    }

    @Test
    void suffixesOnlyIncreaseAndNeverRepeatEvenAfterDeletes() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String p = seq("/q/n-");
            names.add(p);
            if (i % 2 == 0) {
                h.ok(delete(p, -1));
            }
        }
        // Delete everything, then create again: still higher than anything before.
        for (int i = 1; i < names.size(); i += 2) {
            h.ok(delete(names.get(i), -1));
        }
        names.add(seq("/q/n-"));
        Set<String> unique = new HashSet<>(names);
        assertEquals(names.size(), unique.size());
        for (int i = 1; i < names.size(); i++) {
            assertTrue(names.get(i).compareTo(names.get(i - 1)) > 0, names.get(i) + " after " + names.get(i - 1));
        }
        assertEquals("/q/n-0000000020", names.get(names.size() - 1));
    }

    @Test
    void eachParentHasItsOwnCounter() {
        h.ok(create("/r"));
        assertEquals("/q/x0000000000", seq("/q/x"));
        assertEquals("/r/x0000000000", seq("/r/x"));
        assertEquals("/q/x0000000001", seq("/q/x"));
    }

    @Test
    void aTrailingSlashMakesTheSuffixTheWholeName() {
        assertEquals("/q/0000000000", seq("/q/"));
        assertEquals("/0000000000", seq("/"));
    }

    @Test
    void aFailedSequentialCreateDoesNotUseUpASuffix() {
        h.fails(ErrorReason.NO_NODE, create("/missing/x", "", CreateMode.PERSISTENT_SEQUENTIAL));
        h.fails(ErrorReason.TOO_LARGE, Command.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/q/x")
                .setMode(CreateMode.PERSISTENT_SEQUENTIAL).setData(StateHarness.bytes("x".repeat((1 << 20) + 1)))));
        assertEquals("/q/x0000000000", seq("/q/x"));
    }

    @Test
    void aSequentialNameTakenByHandFailsWithNodeExists() {
        h.ok(create("/q/x0000000000"));
        h.fails(ErrorReason.NODE_EXISTS, create("/q/x", "", CreateMode.PERSISTENT_SEQUENTIAL));
    }

    @Test
    void ephemeralSequentialNodesAreBoth() {
        long s = h.openSessionId(10_000);
        String p = h.ok(Command.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/q/lock-")
                .setMode(CreateMode.EPHEMERAL_SEQUENTIAL).setSessionId(s))).getCreate().getPath();
        assertEquals("/q/lock-0000000000", p);
        assertEquals(s, h.stat(p).getEphemeralOwner());
    }

    @Test
    void theCounterSurvivesARestart() {
        seq("/q/a");
        h.reopen();
        assertEquals("/q/a0000000001", seq("/q/a"));
    }
}
