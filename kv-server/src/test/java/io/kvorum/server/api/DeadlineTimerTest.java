package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineTimerTest {
    private final ScheduledThreadPoolExecutor timer = timer();
    private final DeadlineTimer deadlines = new DeadlineTimer(timer);

    /** A timer as the API builds it: one thread, cancelled tasks removed at once. */
    static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1);
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void aFutureNotDoneByItsDeadlineFailsWithTimeout() {
        CompletableFuture<String> f = deadlines.orTimeout(new CompletableFuture<>(), 20);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
    }

    @Test
    void anAnsweredFutureKeepsItsAnswerAndLeavesNothingOnTheTimer() throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        assertSame(f, deadlines.orTimeout(f, 60_000));
        assertEquals(1, timer.getQueue().size());
        f.complete("answer");
        assertEquals(0, timer.getQueue().size(), "the answered request's deadline is gone from the timer's queue");
        assertEquals("answer", f.get());
    }

    @Test
    void aFutureAlreadyDoneSchedulesNothing() {
        deadlines.orTimeout(CompletableFuture.completedFuture("done"), 60_000);
        assertEquals(0, timer.getQueue().size());
    }

    @Test
    void aStoppedTimerEndsTheCallAtOnceAsUnavailable() {
        timer.shutdown();
        CompletableFuture<String> f = deadlines.orTimeout(new CompletableFuture<>(), 60_000);
        assertTrue(f.isCompletedExceptionally());
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        StatusRuntimeException s = assertInstanceOf(StatusRuntimeException.class, e.getCause());
        assertEquals(Code.UNAVAILABLE, s.getStatus().getCode());
        assertTrue(s.getStatus().getDescription().contains("stopping"));
    }

    @Test
    void aTimerThatKeepsCancelledTasksIsRefused() {
        ScheduledThreadPoolExecutor keeps = new ScheduledThreadPoolExecutor(1);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DeadlineTimer(keeps));
            assertTrue(e.getMessage().contains("remove cancelled tasks"));
            assertFalse(keeps.isShutdown());
        } finally {
            keeps.shutdownNow();
        }
    }
}
