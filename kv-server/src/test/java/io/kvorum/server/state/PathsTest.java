package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static io.kvorum.server.state.StateHarness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.proto.v1.ErrorReason;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

/** Paths are checked again at apply, whatever the API let through. */
class PathsTest {
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

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a/b", "/a/", "//a", "/a//b", "/.", "/a/..", "/a/./b", "/a\u0000b", "/a\nb",
            "/a\u007fb"})
    void aMalformedPathIsRefusedAsInvalidPath(String path) {
        h.ok(create("/a"));
        h.fails(ErrorReason.INVALID_PATH, create(path));
        h.fails(ErrorReason.INVALID_PATH, set(path, "x", -1));
        h.fails(ErrorReason.INVALID_PATH, delete(path, -1));
        assertThrows(StateException.class, () -> h.state.get(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a", "/a.b", "/..a", "/a/...", "/ünïcødé/日本", "/a b"})
    void wellFormedPathsAreAccepted(String path) {
        if (path.indexOf('/', 1) > 0) {
            h.ok(create(Paths.parent(path)));
        }
        h.ok(create(path));
        assertEquals(path, h.state.get(path).orElseThrow().path());
    }

    @Test
    void theRootAlwaysExists() {
        assertEquals(0, h.stat("/").getNumChildren());
        assertEquals("", h.data("/"));
    }

    @Test
    void theRootMayBeSet() {
        h.ok(set("/", "root data", -1));
        assertEquals("root data", h.data("/"));
        assertEquals(1, h.stat("/").getVersion());
    }

    @Test
    void theRootCannotBeDeleted() {
        h.fails(ErrorReason.INVALID_PATH, delete("/", -1));
    }

    @Test
    void problemNamesWhatIsWrong() {
        assertNull(Paths.problem("/a/b"));
        assertEquals("empty segment at offset 3", Paths.problem("/a//b"));
    }
}
