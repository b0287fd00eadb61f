package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.ResponseHeader;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What every part of one client shares: its identity, endpoints, retry loop, write numbering,
 * revision high-water mark, threads, sessions and watches.
 */
final class ClientCore {
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    /** A health probe waits at most this long (or the attempt timeout when shorter). */
    private static final Duration MAX_PROBE_TIMEOUT = Duration.ofSeconds(1);

    final ClientConfig config;
    final EndpointRegistry endpoints;
    final MemberDiscovery discovery;
    final Retrier retrier;
    final Backoff reconnectBackoff;
    final WriteSequencer sequencer;
    final RevisionTracker revisions = new RevisionTracker();
    final ScheduledExecutorService scheduler;
    /** Runs listener callbacks (through one {@link SerialExecutor} per listener). */
    final ExecutorService events;
    final Sessions sessions;
    final WatchManager watches;
    private volatile boolean closed;

    ClientCore(ClientConfig config) {
        this.config = config;
        this.sequencer = new WriteSequencer(() -> UUID.randomUUID().toString(), config.maxWritesInFlight());
        int n = CLIENTS.incrementAndGet();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("kvorum-client-" + n + "-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        this.events = Executors.newCachedThreadPool(daemon("kvorum-client-" + n + "-events"));
        Duration probeTimeout = config.attemptTimeout().compareTo(MAX_PROBE_TIMEOUT) < 0 ? config.attemptTimeout()
                : MAX_PROBE_TIMEOUT;
        this.endpoints = new EndpointRegistry(config.endpoints(), config.policy(), config.localDatacenter(),
                config.batching() ? BatchingChannel.wrap(config.channelFactory(), scheduler) : config.channelFactory(),
                new Backoff(config.endpointBackoffBase(), config.endpointBackoffMax()),
                scheduler, channel -> probe(channel, probeTimeout));
        this.discovery = new MemberDiscovery(endpoints, scheduler, config.memberRefreshInterval(),
                config.attemptTimeout(), config.memberDiscovery());
        this.reconnectBackoff = new Backoff(config.retryBase(), config.retryMax());
        this.retrier = new Retrier(endpoints, discovery, reconnectBackoff, scheduler, config.attemptTimeout(),
                config.hedgeReads());
        endpoints.onLeaderMoved(retrier::leaderMoved);
        this.sessions = new Sessions(this);
        this.watches = new WatchManager(this);
    }

    /**
     * Whether the node behind {@code channel} can serve: a linearizable exists("/") answered
     * within {@code timeout} (waiting for the connection). That needs a ReadIndex round with a
     * leader that has a quorum, so a node that is up but cut off from the leader (or paused, or
     * one-way partitioned) fails it. Outlier ejection's way back in.
     */
    private static CompletableFuture<Boolean> probe(ManagedChannel channel, Duration timeout) {
        return Rpc.unary(channel, KVGrpc.getExistsMethod(),
                CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS),
                ExistsRequest.newBuilder().setPath("/").setConsistency(Consistency.LINEARIZABLE).build())
                .thenApply(r -> true);
    }

    Duration deadline(RequestOptions options) {
        return options.deadline() != null ? options.deadline() : config.defaultDeadline();
    }

    /**
     * A read: retried freely (it changes nothing), and hedged when the first endpoint is slow. A
     * linearizable read goes to the leader when it is known, unless the client prefers its own
     * datacenter: the leader confirms its leadership once for every read waiting, where a
     * follower must first ask the leader for its commit index, a round trip more and one request
     * out at a time per follower. Serializable reads are spread by the endpoint policy.
     */
    <Req, Resp> CompletableFuture<Resp> read(String what, RequestOptions options, MethodDescriptor<Req, Resp> method,
                                             Req request, Function<Resp, ResponseHeader> header) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError(what));
        }
        boolean leaderFirst = options.consistency() != ReadConsistency.SERIALIZABLE
                && config.policy() != EndpointPolicy.PREFER_LOCAL;
        CompletableFuture<Resp> call = retrier.read(what, deadline(options), leaderFirst,
                (channel, callOptions) -> Rpc.unary(channel, method, callOptions, request));
        return observed(call, call, header);
    }

    /**
     * A write carrying this client's id and its own sequence, the same on every attempt, so the
     * cluster applies it once however often it is retried.
     */
    <Req, Resp> CompletableFuture<Resp> write(String what, RequestOptions options, MethodDescriptor<Req, Resp> method,
                                              Function<RequestHeader, Req> request,
                                              Function<Resp, ResponseHeader> header) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError(what));
        }
        long startNanos = System.nanoTime();
        Duration deadline = deadline(options);
        CompletableFuture<Long> slot = sequencer.begin();
        if (slot.isDone()) {
            long seq = slot.join();
            CompletableFuture<Resp> call = send(what, method, request, seq, deadline);
            // The write leaves the in-flight set before the caller hears the answer (a stage the
            // caller's continuation depends on, not a sibling callback): the caller's next write
            // then tells the cluster it may forget this one.
            return observed(call, call.whenComplete((r, e) -> sequencer.end(seq)), header);
        }
        // The window is full: as many writes are in flight as the cluster keeps answers for.
        // Wait for a slot within the deadline; the wait counts against it.
        CompletableFuture<Resp> call = new CompletableFuture<>();
        ScheduledFuture<?> timeout;
        try {
            timeout = scheduler.schedule(() -> {
                if (slot.cancel(false)) {
                    call.completeExceptionally(windowFull(what, deadline));
                }
            }, deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            slot.cancel(false);
            return CompletableFuture.failedFuture(closedError(what));
        }
        slot.thenAccept(seq -> {
            timeout.cancel(false);
            long left = deadline.toNanos() - (System.nanoTime() - startNanos);
            if (call.isDone() || left <= 0) {
                sequencer.end(seq);
                call.completeExceptionally(windowFull(what, deadline));
                return;
            }
            CompletableFuture<Resp> attempt = send(what, method, request, seq, Duration.ofNanos(left));
            call.whenComplete((r, e) -> {
                if (call.isCancelled()) {
                    attempt.cancel(true);
                }
            });
            attempt.whenComplete((r, e) -> {
                sequencer.end(seq);
                if (e != null) {
                    call.completeExceptionally(Futures.unwrap(e));
                } else {
                    call.complete(r);
                }
            });
        });
        call.whenComplete((r, e) -> {
            if (call.isCancelled()) {
                slot.cancel(false);
            }
        });
        return observed(call, call, header);
    }

    private <Req, Resp> CompletableFuture<Resp> send(String what, MethodDescriptor<Req, Resp> method,
                                                     Function<RequestHeader, Req> request, long seq, Duration deadline) {
        return retrier.call(what, Retrier.Safety.IDEMPOTENT, true, deadline, null,
                (channel, callOptions) -> Rpc.unary(channel, method, callOptions,
                        request.apply(sequencer.header(seq))));
    }

    private static DeadlineExceededException windowFull(String what, Duration deadline) {
        return new DeadlineExceededException(what + " was not sent within its deadline of " + deadline.toMillis()
                + " ms: this client's earlier writes filled its write window (maxWritesInFlight) the whole time."
                + " The write was not applied.", null, List.of());
    }

    /**
     * A call the server does not deduplicate (cluster administration): sent again only when it
     * surely was not acted on. {@code pinned}, when set, is the only endpoint used.
     */
    <Req, Resp> CompletableFuture<Resp> unique(String what, RequestOptions options, MethodDescriptor<Req, Resp> method,
                                               Req request, Function<Resp, ResponseHeader> header, boolean idempotent,
                                               EndpointState pinned) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError(what));
        }
        Retrier.Safety safety = idempotent ? Retrier.Safety.IDEMPOTENT : Retrier.Safety.ONLY_IF_NOT_ACTED_ON;
        CompletableFuture<Resp> call = retrier.call(what, safety, !idempotent, deadline(options), pinned,
                (channel, callOptions) -> Rpc.unary(channel, method, callOptions, request));
        return observed(call, call, header);
    }

    /**
     * The caller's future: {@code chain} with the answer's revision recorded. It and every stage
     * derived from it cancel {@code call} (the retry loop and its attempt in flight) when
     * cancelled; see {@link LinkedFuture}.
     */
    private <Resp> CompletableFuture<Resp> observed(CompletableFuture<Resp> call, CompletableFuture<Resp> chain,
                                                    Function<Resp, ResponseHeader> header) {
        LinkedFuture<Resp> out = new LinkedFuture<>(call);
        chain.whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(Futures.unwrap(e));
                return;
            }
            try {
                ResponseHeader h = header.apply(r);
                revisions.observe(h.getRevision());
                discovery.observeTerm(h.getRaftTerm());
                out.complete(r);
            } catch (RuntimeException bug) {
                out.completeExceptionally(bug);
            }
        });
        return out;
    }

    boolean isClosed() {
        return closed;
    }

    ClientClosedException closedError(String what) {
        return new ClientClosedException(what + " failed: the Kvorum client is closed");
    }

    /** Closes sessions (deleting their ephemerals), watches, threads and channels. */
    void close() {
        if (closed) {
            return;
        }
        try {
            sessions.closeAll().get(deadline(RequestOptions.DEFAULT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // best effort: an unclosed session expires after its TTL
        }
        closed = true;
        watches.close();
        scheduler.shutdownNow();
        endpoints.close();
        events.shutdown();
        if (config.channelFactory() instanceof OwnEventLoopChannels own) {
            own.close(); // after the channels on it
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
