package io.kvorum.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    private static Message append(long from, long to, long index, int payloadBytes) {
        return Message.builder(MessageType.APPEND).from(from).to(to).term(1).index(index - 1)
                .entries(List.of(Entry.normal(1, index, new byte[payloadBytes]))).build();
    }

    private static List<Message> appends(int n, int payload) {
        List<Message> ms = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ms.add(append(1, 2, i, payload));
        }
        return ms;
    }

    @Test
    void dropsWhatDoesNotFitByCountKeepingTheOldest() throws InterruptedException {
        OutboundQueue q = new OutboundQueue(10, 1 << 20, 1 << 20);
        List<Message> ms = appends(15, 10);
        assertEquals(5, q.offer(ms));
        assertEquals(ms.subList(0, 10), q.poll(Long.MAX_VALUE, 0));
    }

    @Test
    void dropsWhatDoesNotFitByBytes() {
        List<Message> ms = appends(10, 1000);
        OutboundQueue q = new OutboundQueue(1000, 3 * OutboundQueue.weight(ms.get(0)), 1 << 20);
        assertEquals(7, q.offer(ms));
    }

    @Test
    void aMessageTooLargeForThePeerIsDroppedAlone() throws InterruptedException {
        OutboundQueue q = new OutboundQueue(1000, 1 << 30, 10_000);
        List<Message> ms = List.of(append(1, 2, 1, 10), append(1, 2, 2, 20_000), append(1, 2, 3, 10));
        assertEquals(1, q.offer(ms));
        assertEquals(List.of(ms.get(0), ms.get(2)), q.poll(Long.MAX_VALUE, 0));
    }

    @Test
    void pollTakesEverythingThatFitsTheBatchInOrderAndAtLeastOne() throws InterruptedException {
        OutboundQueue q = new OutboundQueue(1000, 1 << 30, 1 << 30);
        List<Message> ms = appends(10, 1000);
        q.offer(ms);
        long w = OutboundQueue.weight(ms.get(0));
        assertEquals(ms.subList(0, 4), q.poll(4 * w, 0));
        assertEquals(ms.subList(4, 5), q.poll(1, 0), "a message larger than the batch goes alone");
        assertEquals(ms.subList(5, 10), q.poll(Long.MAX_VALUE, 0));
        assertTrue(q.isEmpty());
        // Room is given back as messages leave.
        assertEquals(0, q.offer(ms));
    }

    @Test
    void pollWaitsOnlyAsLongAsAsked() throws InterruptedException {
        OutboundQueue q = new OutboundQueue(10, 1 << 20, 1 << 20);
        long start = System.nanoTime();
        assertTrue(q.poll(1 << 20, TimeUnit.MILLISECONDS.toNanos(20)).isEmpty());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void aWakeEndsTheConsumersWaitForMessagesOnceAndAMessageStillEndsItWithTrue() throws Exception {
        OutboundQueue q = new OutboundQueue(10, 1 << 20, 1 << 20);
        q.wakeConsumer();
        assertFalse(q.awaitNotEmpty(TimeUnit.MINUTES.toNanos(1)), "a wake before the wait ends it at once");

        AtomicReference<Boolean> woken = new AtomicReference<>();
        Thread consumer = new Thread(() -> woken.set(awaitMessage(q)));
        consumer.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> consumer.getState() == Thread.State.TIMED_WAITING);
        q.wakeConsumer();
        consumer.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(Boolean.FALSE, woken.get(), "a wake ends a wait in progress, nothing queued");

        CompletableFuture<Boolean> next = CompletableFuture.supplyAsync(() -> awaitMessage(q));
        q.offer(appends(1, 10));
        assertTrue(next.get(10, TimeUnit.SECONDS), "a message ends the wait with true");
        q.wakeConsumer();
        assertTrue(q.awaitNotEmpty(TimeUnit.MINUTES.toNanos(1)), "queued messages win over a wake");
    }

    private static boolean awaitMessage(OutboundQueue q) {
        try {
            return q.awaitNotEmpty(TimeUnit.MINUTES.toNanos(1));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void weightIsAnUpperBoundOfTheEncodedSize() {
        Message worst = Message.builder(MessageType.READ_INDEX_RESPONSE)
                .from(Long.MAX_VALUE).to(-1).term(-1).logTerm(-1).index(-1).commit(-1).reject(true)
                .rejectHint(-1).context(-1).contexts(List.of(-1L, -2L, -3L))
                .entries(List.of(new Entry(-1, -1, EntryType.CONF_CHANGE, new byte[300_000]))).build();
        long encoded = MessageCodec.encodeBatch(List.of(worst)).getSerializedSize();
        assertTrue(encoded <= OutboundQueue.weight(worst), encoded + " > " + OutboundQueue.weight(worst));
    }
}
