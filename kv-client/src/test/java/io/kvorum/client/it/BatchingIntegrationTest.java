package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.kvorum.client.ChannelFactory;
import io.kvorum.client.ClientThreads;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.Op;
import io.kvorum.client.OpResult;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.recipes.DistributedLock;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Batching on and off against a real cluster: the same answers, the same errors; on uses Batch streams. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchingIntegrationTest {
    @TempDir
    static Path dir;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = ItClients.startCluster(dir);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Channels that count the calls started on them, by method. */
    static final class CountingChannels implements ChannelFactory {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public ManagedChannel create(String address) {
            ManagedChannel real = io.grpc.Grpc.newChannelBuilder(address,
                    io.grpc.InsecureChannelCredentials.create()).build();
            return new ManagedChannel() {
                @Override
                public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
                    calls.computeIfAbsent(method.getBareMethodName(), k -> new AtomicInteger()).incrementAndGet();
                    return real.newCall(method, options);
                }

                @Override
                public String authority() {
                    return real.authority();
                }

                @Override
                public ManagedChannel shutdown() {
                    real.shutdown();
                    return this;
                }

                @Override
                public ManagedChannel shutdownNow() {
                    real.shutdownNow();
                    return this;
                }

                @Override
                public boolean isShutdown() {
                    return real.isShutdown();
                }

                @Override
                public boolean isTerminated() {
                    return real.isTerminated();
                }

                @Override
                public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                    return real.awaitTermination(timeout, unit);
                }

                @Override
                public ConnectivityState getState(boolean requestConnection) {
                    return real.getState(requestConnection);
                }

                @Override
                public void resetConnectBackoff() {
                    real.resetConnectBackoff();
                }
            };
        }

        int count(String method) {
            AtomicInteger n = calls.get(method);
            return n == null ? 0 : n.get();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One call's outcome in a form both runs can be compared by: the value, or the error's class and message. */
    private static String outcome(String prefix, Supplier<Object> call) {
        try {
            return "ok " + String.valueOf(call.get()).replace(prefix, "P");
        } catch (KvorumException e) {
            return e.getClass().getSimpleName() + " " + e.getMessage().replace(prefix, "P");
        }
    }

    /** A fixed sequence of calls under {@code p}; stats are left out (revisions differ between runs). */
    private static List<String> sequence(KvorumClient c, String p) {
        List<String> out = new ArrayList<>();
        out.add(outcome(p, () -> c.create(p, b("root")).path()));
        out.add(outcome(p, () -> c.create(p, b("again")).path()));
        out.add(outcome(p, () -> c.create(p + "/missing/child", b("")).path()));
        out.add(outcome(p, () -> c.create(p + "/bad//path", b("")).path()));
        out.add(outcome(p, () -> c.get(p).dataAsString()));
        out.add(outcome(p, () -> c.get(p + "/none").dataAsString()));
        out.add(outcome(p, () -> c.set(p, b("v1"), 0).version()));
        out.add(outcome(p, () -> c.set(p, b("v2"), 0).version()));
        out.add(outcome(p, () -> c.get(p, RequestOptions.serializable()).dataAsString()));
        out.add(outcome(p, () -> c.exists(p).isPresent()));
        out.add(outcome(p, () -> c.exists(p + "/none").isPresent()));
        out.add(outcome(p, () -> c.multi(List.of(Op.create(p + "/a", b("1")), Op.check(p, 1))).size()));
        out.add(outcome(p, () -> c.multi(List.of(Op.create(p + "/b", b("1")), Op.check(p, 7))).size()));
        out.add(outcome(p, () -> c.delete(p)));
        out.add(outcome(p, () -> c.delete(p + "/a", 0) > 0)); // a revision: differs between runs
        out.add(outcome(p, () -> c.delete(p, 1) > 0));
        out.add(outcome(p, () -> c.exists(p).isPresent()));
        return out;
    }

    @Test
    void theSameCallsGiveTheSameAnswersWithBatchingOnAndOff() {
        CountingChannels onChannels = new CountingChannels();
        CountingChannels offChannels = new CountingChannels();
        List<String> on;
        List<String> off;
        try (KvorumClient c = ItClients.builder(cluster).channelFactory(onChannels).build()) {
            on = sequence(c, "/same-on");
        }
        try (KvorumClient c = ItClients.builder(cluster).channelFactory(offChannels).batching(false).build()) {
            off = sequence(c, "/same-off");
        }
        assertEquals(off, on);
        assertTrue(on.stream().anyMatch(s -> s.startsWith("NodeExistsException")), on.toString());
        assertTrue(onChannels.count("Batch") >= 1, onChannels.calls.toString());
        for (var m : List.of(KVGrpc.getCreateMethod(), KVGrpc.getGetMethod(), KVGrpc.getSetMethod(),
                KVGrpc.getDeleteMethod(), KVGrpc.getExistsMethod(), KVGrpc.getMultiMethod())) {
            assertEquals(0, onChannels.count(m.getBareMethodName()), "batched: " + onChannels.calls);
            assertTrue(m == KVGrpc.getExistsMethod() || offChannels.count(m.getBareMethodName()) > 0,
                    "unary: " + offChannels.calls);
        }
        assertEquals(0, offChannels.count("Batch"), offChannels.calls.toString());
    }

    /**
     * Batched answers complete their futures on the I/O thread that read them: a blocking call in
     * such a callback fails at once, naming the problem, instead of waiting for an answer that
     * thread may be the one to read; handed to an executor of the caller's, the same call works.
     */
    @Test
    void aBlockingCallInACallbackOfABatchedCallFailsAtOnceAndWorksOnTheCallersExecutor() throws Exception {
        try (KvorumClient c = ItClients.of(cluster)) {
            String path = "/io-thread";
            c.create(path, b("x"));
            Thread test = Thread.currentThread();
            Throwable failure = null;
            // The answer may (rarely) arrive before the callback is attached, which then runs on
            // this thread, where blocking is fine: try again then.
            for (int i = 0; i < 10 && failure == null; i++) {
                CompletableFuture<String> nested = c.async().get(path)
                        .thenApply(first -> Thread.currentThread() == test ? null : c.get(path).dataAsString());
                try {
                    assertEquals(null, nested.get(30, TimeUnit.SECONDS), "the blocking call in the callback returned");
                } catch (ExecutionException e) {
                    failure = e.getCause();
                }
            }
            assertNotNull(failure, "every answer arrived before its callback was attached");
            assertInstanceOf(IllegalStateException.class, failure, failure.toString());
            assertTrue(failure.getMessage().contains("I/O threads"), failure.getMessage());
            ExecutorService own = Executors.newSingleThreadExecutor();
            try {
                assertEquals("x", c.async().get(path)
                        .thenApplyAsync(first -> c.get(path).dataAsString(), own).get(30, TimeUnit.SECONDS));
            } finally {
                own.shutdownNow();
            }
        }
    }

    /**
     * A lock released in a callback on the I/O thread returns at once instead of stalling that
     * thread until its delete's deadline (the answer it would wait for is that thread's to
     * read), and the next contender still gets the lock.
     */
    @Test
    void aLockReleasedOnAnIoThreadReturnsAtOnceAndPassesTheLock() throws Exception {
        try (KvorumClient holder = ItClients.builder(cluster).defaultDeadline(Duration.ofSeconds(60)).build();
             KvorumClient next = ItClients.of(cluster)) {
            Thread test = Thread.currentThread();
            boolean releasedOnIoThread = false;
            // As above, an answer that arrives before the callback is attached runs it on this
            // thread: try again then, with the lock passed back.
            for (int i = 0; i < 10 && !releasedOnIoThread; i++) {
                DistributedLock first = new DistributedLock(holder, "/io-thread-lock");
                first.acquire();
                DistributedLock second = new DistributedLock(next, "/io-thread-lock");
                CompletableFuture<Void> waiting = CompletableFuture.runAsync(second::acquire);
                await().atMost(Duration.ofSeconds(30)).until(() -> second.nodePath() != null);
                CompletableFuture<Boolean> released = holder.async().exists(first.nodePath()).thenApply(x -> {
                    boolean io = Thread.currentThread() != test && ClientThreads.isIoThread();
                    first.release();
                    return io;
                });
                // Far below the holder's 60 s deadline, which a stalled I/O thread would wait out.
                releasedOnIoThread = released.get(10, TimeUnit.SECONDS);
                waiting.get(30, TimeUnit.SECONDS);
                assertTrue(second.isHeld(), "the lock passed to the next contender");
                assertFalse(first.isHeld());
                second.release();
            }
            assertTrue(releasedOnIoThread, "every answer arrived before its callback was attached");
        }
    }

    @Test
    void manyCallsInFlightFromCallbacksAllCompleteInOrderPerLoop() throws Exception {
        CountingChannels channels = new CountingChannels();
        try (KvorumClient c = ItClients.builder(cluster).channelFactory(channels).build()) {
            int loops = 64;
            int perLoop = 20;
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                String path = "/loop" + i;
                c.create(path, b("0"));
                CompletableFuture<Void> end = new CompletableFuture<>();
                done.add(end);
                next(c, path, 1, perLoop, end);
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < loops; i++) {
                assertEquals(Integer.toString(perLoop), c.get("/loop" + i).dataAsString());
                assertEquals(perLoop, c.get("/loop" + i).stat().version());
            }
            assertEquals(0, channels.count("Set"), channels.calls.toString());
            assertTrue(channels.count("Batch") <= 3 * 2, "one stream per endpoint (reopened at most once): "
                    + channels.calls);
        }
    }

    /** A closed loop: each write is issued from the callback of the previous one. */
    private static void next(KvorumClient c, String path, int i, int last, CompletableFuture<Void> end) {
        if (i > last) {
            end.complete(null);
            return;
        }
        c.async().set(path, b(Integer.toString(i)), i - 1).whenComplete((stat, e) -> {
            if (e != null) {
                end.completeExceptionally(e);
            } else {
                next(c, path, i + 1, last, end);
            }
        });
    }
}
