package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class PageTokensTest {
    @Test
    void roundTripsNames() {
        for (String name : new String[] {"a", "node-0000000042", "ünïcödé ✓", "\ud83d\ude00"}) {
            assertEquals(name, PageTokens.decode(PageTokens.encode(name), "/p"));
        }
        assertEquals("", PageTokens.encode(null));
        assertNull(PageTokens.decode("", "/p"));
    }

    @Test
    void refusesTokensItNeverIssued() {
        for (String bad : new String[] {"%%%", "bm90LW91cnM", PageTokens.encode("x").substring(1)}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PageTokens.decode(bad, "/p"));
            assertEquals(Code.INVALID_ARGUMENT, e.getStatus().getCode());
        }
    }
}
