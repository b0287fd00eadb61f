package io.kvorum.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginLimiterTest {
    @Test
    void waitDoublesPerFailureUpToTheCapAndASuccessClearsIt() {
        AtomicLong now = new AtomicLong(1_000_000);
        LoginLimiter l = new LoginLimiter(now::get);
        assertEquals(0, l.waitMillis("u"));
        l.failed("u");
        assertEquals(100, l.waitMillis("u"));
        l.failed("u");
        assertEquals(200, l.waitMillis("u"));
        assertEquals(0, l.waitMillis("someone-else"), "limits are per user");
        for (int i = 0; i < 20; i++) {
            l.failed("u");
        }
        assertEquals(LoginLimiter.MAX_DELAY_MILLIS, l.waitMillis("u"));
        now.addAndGet(LoginLimiter.MAX_DELAY_MILLIS);
        assertEquals(0, l.waitMillis("u"));
        l.succeeded("u");
        l.failed("u");
        assertEquals(100, l.waitMillis("u"), "a success starts the count again");
    }
}
