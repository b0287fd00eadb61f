package io.kvorum.client;

import io.grpc.MethodDescriptor;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.ResponseHeader;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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

    final ClientConfig config;
    final String clientId = UUID.randomUUID().toString();
    final EndpointRegistry endpoints;
    final Retrier retrier;
    final Backoff reconnectBackoff;
    final WriteSequencer sequencer = new WriteSequencer(clientId);
    final RevisionTracker revisions = new RevisionTracker();
    final ScheduledExecutorService scheduler;
    /** Runs listener callbacks (through one {@link SerialExecutor} per listener). */
    final ExecutorService events;
    final Sessions sessions;
    final WatchManager watches;
    private volatile boolean closed;

    ClientCore(ClientConfig config) {
        this.config = config;
        int n = CLIENTS.incrementAndGet();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("kvorum-client-" + n + "-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        this.events = Executors.newCachedThreadPool(daemon("kvorum-client-" + n + "-events"));
        this.endpoints = new EndpointRegistry(config.endpoints(), config.policy(), config.localDatacenter(),
                config.batching() ? BatchingChannel.wrap(config.channelFactory(), scheduler) : config.channelFactory(),
                new Backoff(config.endpointBackoffBase(), config.endpointBackoffMax()),
                scheduler);
        this.reconnectBackoff = new Backoff(config.retryBase(), config.retryMax());
        this.retrier = new Retrier(endpoints, reconnectBackoff, scheduler, config.attemptTimeout());
        this.sessions = new Sessions(this);
        this.watches = new WatchManager(this);
    }

    Duration deadline(RequestOptions options) {
        return options.deadline() != null ? options.deadline() : config.defaultDeadline();
    }

    /** A read: retried freely (it changes nothing). */
    <Req, Resp> CompletableFuture<Resp> read(String what, RequestOptions options, MethodDescriptor<Req, Resp> method,
                                             Req request, Function<Resp, ResponseHeader> header) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError(what));
        }
        CompletableFuture<Resp> call = retrier.call(what, Retrier.Safety.IDEMPOTENT, false, deadline(options), null,
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
        long seq = sequencer.begin();
        // The write leaves the in-flight set before the caller hears the answer (a stage the
        // caller's continuation depends on, not a sibling callback): the caller's next write
        // then tells the cluster it may forget this one.
        CompletableFuture<Resp> call = retrier.call(what, Retrier.Safety.IDEMPOTENT, true, deadline(options), null,
                (channel, callOptions) -> Rpc.unary(channel, method, callOptions,
                        request.apply(sequencer.header(seq))));
        return observed(call, call.whenComplete((r, e) -> sequencer.end(seq)), header);
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
                revisions.observe(header.apply(r).getRevision());
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
