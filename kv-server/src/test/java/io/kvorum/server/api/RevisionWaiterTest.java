package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RevisionWaiterTest {
    private final AtomicLong revision = new AtomicLong(5);
    private final ScheduledThreadPoolExecutor timer = DeadlineTimerTest.timer();
    private final RevisionWaiter waiter = new RevisionWaiter(revision::get, new DeadlineTimer(timer));

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void reachedRevisionsDoNotWait() {
        assertTrue(waiter.await(5, 1000).isDone());
    }

    @Test
    void waitersAreReleasedInOrderWhenTheRevisionMoves() {
        CompletableFuture<Void> seven = waiter.await(7, 5000);
        CompletableFuture<Void> six = waiter.await(6, 5000);
        revision.set(6);
        waiter.poke();
        assertTrue(six.isDone());
        assertFalse(seven.isDone());
        revision.set(9);
        waiter.poke();
        assertTrue(seven.isDone());
    }

    @Test
    void aRevisionNeverReachedFailsWithDeadlineExceededSayingWhy() {
        CompletableFuture<Void> f = waiter.await(100, 50);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        StatusRuntimeException s = (StatusRuntimeException) e.getCause();
        assertEquals(Code.DEADLINE_EXCEEDED, s.getStatus().getCode());
        assertTrue(s.getStatus().getDescription().contains("min_revision 100"));
    }
}
