package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ErrorReason;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Children listings: sorted by name, a page at a time, from a range read of the children alone. */
class ChildrenTest {
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

    private static List<String> names(ChildrenPage p) {
        return p.children().stream().map(Child::getName).toList();
    }

    @Test
    void childrenAreSortedByNameAndExcludeGrandchildrenAndSiblings() {
        h.ok(create("/p"));
        h.ok(create("/pa"));
        h.ok(create("/p/b"));
        h.ok(create("/p/a"));
        h.ok(create("/p/a/deep"));
        h.ok(create("/p/c"));
        ChildrenPage page = h.state.children("/p", 10, null, false);
        assertEquals(List.of("a", "b", "c"), names(page));
        assertNull(page.nextAfter());
        assertFalse(page.children().get(0).hasStat());
        assertEquals(List.of("p", "pa"), names(h.state.children("/", 10, null, false)));
    }

    @Test
    void childrenOfAMissingNodeFailWithNoNode() {
        StateException e = assertThrows(StateException.class, () -> h.state.children("/nope", 10, null, false));
        assertEquals(ErrorReason.NO_NODE, e.reason());
        assertEquals("/nope", e.path());
    }

    @Test
    void withStatEachChildCarriesItsStat() {
        h.ok(create("/p"));
        h.ok(create("/p/a"));
        ChildrenPage page = h.state.children("/p", 10, "", true);
        assertEquals(h.stat("/p/a"), page.children().get(0).getStat());
        assertEquals(h.state.revision(), page.revision());
    }

    @Test
    void tenThousandChildrenArePagedThroughWithoutRepeatsOrGaps() {
        h.ok(create("/big"));
        int n = 10_000;
        List<Command.Builder> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(create(String.format("/big/c%05d", i)));
            if (batch.size() == 1000) {
                h.batch(batch.toArray(Command.Builder[]::new)).forEach(r -> assertFalse(r.hasError()));
                batch.clear();
            }
        }
        assertEquals(n, h.stat("/big").getNumChildren());
        List<String> all = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            ChildrenPage page = h.state.children("/big", 999, after, false);
            assertTrue(page.children().size() <= 999);
            all.addAll(names(page));
            after = page.nextAfter();
            pages++;
        } while (after != null);
        assertEquals(11, pages);
        assertEquals(n, all.size());
        for (int i = 0; i < n; i++) {
            assertEquals(String.format("c%05d", i), all.get(i));
        }
    }

    @Test
    void theLastFullPageSaysNoMoreFollow() {
        h.ok(create("/p"));
        h.ok(create("/p/a"));
        h.ok(create("/p/b"));
        ChildrenPage first = h.state.children("/p", 1, null, false);
        assertEquals("a", first.nextAfter());
        ChildrenPage second = h.state.children("/p", 1, first.nextAfter(), false);
        assertEquals(List.of("b"), names(second));
        assertNull(second.nextAfter());
    }

    @Test
    void aPageStartsAfterAGivenNameEvenIfItWasDeleted() {
        h.ok(create("/p"));
        for (String c : List.of("a", "b", "c", "d")) {
            h.ok(create("/p/" + c));
        }
        h.ok(StateHarness.delete("/p/b", -1));
        assertEquals(List.of("c", "d"), names(h.state.children("/p", 10, "b", false)));
    }
}
