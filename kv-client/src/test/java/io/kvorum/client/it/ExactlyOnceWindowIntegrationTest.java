package io.kvorum.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeData;
import io.kvorum.server.state.StateLimits;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once without false refusals: the server keeps {@link StateLimits#dedupePerClient()}
 * answers per client and, over that, forgets the lowest. A client that let more of its later
 * writes be answered while an earlier one was still in flight made the server forget past the
 * earlier one, which was then refused as "answered before" though it never was applied. The
 * client's write window (no sequence at or past the lowest unanswered one plus the window is
 * sent) keeps every in-flight sequence inside what the server remembers.
 */
class ExactlyOnceWindowIntegrationTest {
    private static final int KEPT_PER_CLIENT = 16;
    private static final int LATER_WRITES = 4 * KEPT_PER_CLIENT;

    @TempDir
    Path dir;

    @Test
    void aWriteHeldBackWhileManyLaterOnesAreAnsweredIsStillAppliedOnce() throws Exception {
        StateLimits d = StateLimits.defaults();
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "dedupe-window")) {
            cluster.options(InJvmCluster.testOptions());
            cluster.limits(new StateLimits(d.maxPathBytes(), d.maxValueBytes(), d.maxRequestBytes(), d.maxMultiOps(),
                    d.historyRevisions(), d.dedupeClients(), KEPT_PER_CLIENT, d.minSessionTtlMillis(),
                    d.maxSessionTtlMillis()));
            cluster.startAll();
            cluster.awaitLeader();
            HoldFirstWrite hold = new HoldFirstWrite();
            // Unary calls, so the interceptor below can hold one write's call back.
            try (KvorumClient client = ItClients.builder(cluster).batching(false)
                    .defaultDeadline(Duration.ofSeconds(20))
                    .attemptTimeout(Duration.ofSeconds(10))
                    .maxWritesInFlight(KEPT_PER_CLIENT)
                    .channelFactory(hold::channel).build()) {
                client.create("/w", new byte[0]);
                hold.armed.set(true);
                // The held write goes out on its own thread: its first attempt waits inside the
                // interceptor until the later writes are answered (or a while has passed, when
                // the client will not let them all through before the held one is answered).
                CompletableFuture<Void> held = CompletableFuture.runAsync(
                        () -> client.async().set("/w", bytes("held")).join());
                hold.entered.await(10, TimeUnit.SECONDS);
                List<CompletableFuture<?>> later = new ArrayList<>();
                for (int i = 0; i < LATER_WRITES; i++) {
                    later.add(client.async().create("/w/n" + i, bytes("v" + i))
                            .whenComplete((r, e) -> hold.laterAnswered.countDown()));
                }
                held.get(30, TimeUnit.SECONDS);
                for (CompletableFuture<?> f : later) {
                    f.get(30, TimeUnit.SECONDS);
                }
                NodeData w = client.get("/w");
                assertEquals("held", new String(w.data(), StandardCharsets.UTF_8));
                assertEquals(LATER_WRITES, client.children("/w").size());
                assertTrue(hold.released.get(), "the held write was held");
            } finally {
                hold.close();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Channels whose first setData call, once armed, waits before it is sent. */
    private static final class HoldFirstWrite implements ClientInterceptor, AutoCloseable {
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicBoolean released = new AtomicBoolean();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch laterAnswered = new CountDownLatch(LATER_WRITES);
        private final List<ManagedChannel> channels = new ArrayList<>();

        synchronized ManagedChannel channel(String address) {
            ManagedChannel c = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                    .intercept(this).build();
            channels.add(c);
            return c;
        }

        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            boolean hold = method.getBareMethodName().equals("Set") && armed.compareAndSet(true, false);
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method,
                    hold ? options.withDeadlineAfter(30, TimeUnit.SECONDS) : options)) {
                @Override
                public void start(Listener<A> listener, Metadata headers) {
                    if (hold) {
                        entered.countDown();
                        try {
                            laterAnswered.await(3, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        released.set(true);
                    }
                    super.start(listener, headers);
                }
            };
        }

        @Override
        public synchronized void close() {
            for (ManagedChannel c : channels) {
                c.shutdownNow();
            }
        }
    }
}
