package io.kvorum.server.node;

import io.kvorum.server.raft.ConfChange;
import io.kvorum.server.raft.ConfChangeType;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.storage.NodeStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The apply stage of a node: one thread that applies committed entries to the state machine,
 * in log order, while the raft loop goes on persisting and sending the entries after them.
 * It answers the proposers waiting on those entries and releases linearizable reads once the
 * applied index reaches their read index.
 *
 * <p>Invariants: entries are handed over in log order and only once durable on this node (the
 * loop hands over entries below the first one it is about to persist, the rest after its
 * persist), so the applied index written with each batch never points past the stored log.
 * Work handed over is done in the order handed over: a read registered after a batch of
 * entries is released no earlier than that batch is applied. The amount of work waiting is
 * bounded ({@link #maxPendingBytes}): the loop blocks when it runs ahead that far, which keeps
 * memory bounded when applying is slower than committing.
 *
 * <p>When nothing is queued or being applied, the loop may apply a batch itself
 * ({@link #applyHereIfIdle}) instead of waking the apply thread: with one client writing, the
 * hand-off to a sleeping thread was a wake-up on every write's path for nothing in return. One
 * thread applies at a time ({@link #applying}), and the loop applies only when every task
 * handed over before is finished, so log order holds whichever thread applies. "The loop"
 * is whichever thread runs its turn (RaftNode's loop thread, or the peers' event loop);
 * one at a time, so work is still handed over from one turn at a time, in log order.
 *
 * <p>A follower's turn on the peers' event loop has a synced write to make, so it cannot apply
 * first without holding back its acknowledgement; it may instead queue a few entries without
 * waking the apply thread ({@link #applyAfterTurn}) and apply them on that thread once the
 * turn's frames are written ({@link #applyDeferred}), the same saving as above. Queued work is
 * taken from the queue only under {@link #applying}, so whichever thread drains it, it runs in
 * the order it was queued.
 */
final class Applier implements AutoCloseable {
    /**
     * The most entries the loop applies itself ({@link #applyHereIfIdle}): what a lone client's
     * write commits (one), or a few; applying one takes tens of microseconds here.
     */
    static final int MAX_ENTRIES_APPLIED_HERE = 4;
    /** What the applier tells the node; called by the thread that applies (the apply thread, or the loop). */
    interface Listener {
        /** A batch applied membership {@code changes} (in log order), leaving {@code conf} in force. */
        void membershipApplied(ConfState conf, List<ConfChange> changes);

        /** A batch up to {@code appliedIndex} is written (a point to take a snapshot at). */
        void batchApplied(long appliedIndex);

        /** Applying failed: the node must stop rather than go on with a state it cannot trust. */
        void applyFailed(RuntimeException e);
    }

    private final long nodeId;
    private final long incarnation;
    private final NodeStore store;
    private final StateMachine stateMachine;
    private final Listener listener;
    private final long maxPendingBytes;
    private final Thread thread;
    /** Work handed over, in order; taken only by a thread holding {@link #applying}. */
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** Tasks queued and not yet run to their end; the loop applies a batch itself only at zero. */
    private final AtomicInteger unfinished = new AtomicInteger();
    /** The apply thread is parked, or about to park, for want of work: a producer must wake it. */
    private volatile boolean threadWaiting;
    /** Held by whichever thread applies or runs queued work, so only one does at a time. */
    private final ReentrantLock applying = new ReentrantLock();
    /** Bytes of entries handed over and not yet applied; the loop waits while it is over the bound. */
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Object pendingLock = new Object();
    private final AtomicLong appliedEntries = new AtomicLong();
    /** Callers waiting for the entry with their proposal sequence to be applied here. */
    private final Map<Long, CompletableFuture<byte[]>> proposals = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    /** Wraps each burst of work (see {@link #run()}); set once by whoever answers clients. */
    private volatile CompletionScope completionScope = CompletionScope.NONE;
    private volatile long appliedIndex;
    private volatile ConfState appliedConf;

    /** Under {@link #applying} only: reads waiting for the applied index to reach their read index. */
    private final TreeMap<Long, List<CompletableFuture<Long>>> readsAwaitingApply = new TreeMap<>();
    private final NodeMetrics metrics;

    Applier(long nodeId, long incarnation, NodeStore store, StateMachine stateMachine, Listener listener,
            long maxPendingBytes, NodeMetrics metrics) {
        this.metrics = metrics;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.store = store;
        this.stateMachine = stateMachine;
        this.listener = listener;
        this.maxPendingBytes = maxPendingBytes;
        this.appliedIndex = store.appliedIndex();
        this.appliedConf = store.appliedConfState();
        this.thread = new Thread(this::run, "raft-apply-" + nodeId);
    }

    void start() {
        thread.start();
    }

    /** The index of the last entry whose effects are in the state (written, maybe not yet synced). */
    long appliedIndex() {
        return appliedIndex;
    }

    ConfState appliedConf() {
        return appliedConf;
    }

    long appliedEntries() {
        return appliedEntries.get();
    }

    /** Bytes of committed entries handed over and not yet applied (the commit-to-apply gap). */
    long pendingBytes() {
        return pendingBytes.get();
    }

    /** Registers the caller of proposal {@code seq} before the proposal can commit. */
    void expectProposal(long seq, CompletableFuture<byte[]> caller) {
        proposals.put(seq, caller);
    }

    /**
     * Availability hook: fails every caller still waiting for its proposal (their entries may
     * still be applied; the error must say so). Loop thread, like {@link #expectProposal}.
     */
    void failWaitingProposals(Supplier<RuntimeException> error) {
        proposals.values().forEach(f -> f.completeExceptionally(error.get()));
        proposals.clear();
    }

    /** Forgets callers that gave up (timed out), so a proposal that never commits leaks nothing. */
    void forgetAbandonedProposals() {
        int waiting = proposals.size();
        proposals.values().removeIf(CompletableFuture::isDone);
        metrics.proposalsDropped(waiting - proposals.size());
    }

    /**
     * Hands over committed entries, in log order, all durable on this node. Blocks (the loop)
     * while more than the bound is waiting to be applied.
     */
    void apply(List<Entry> entries) throws InterruptedException {
        if (entries.isEmpty()) {
            return;
        }
        long bytes = sizeOf(entries);
        synchronized (pendingLock) {
            while (running && pendingBytes.get() > maxPendingBytes) {
                pendingLock.wait(100);
            }
        }
        enqueue(batchTask(entries, bytes));
    }

    /** Applies {@code entries} ({@code bytes} of them, now counted as pending) when run. */
    private Runnable batchTask(List<Entry> entries, long bytes) {
        pendingBytes.addAndGet(bytes);
        return () -> {
            try {
                applyBatch(entries);
            } finally {
                if (pendingBytes.addAndGet(-bytes) <= maxPendingBytes) {
                    synchronized (pendingLock) {
                        pendingLock.notifyAll();
                    }
                }
            }
        };
    }

    private static long sizeOf(List<Entry> entries) {
        long bytes = 0;
        for (Entry e : entries) {
            bytes += e.sizeBytes();
        }
        return bytes;
    }

    /**
     * Applies {@code entries} (committed, in log order, all durable on this node) on the calling
     * thread, the loop, when no work handed over is waiting or running; otherwise hands them over
     * as {@link #apply} does. For a Ready that writes nothing: the loop has nothing to persist or
     * send meanwhile, so applying here costs no overlap and saves waking the apply thread. Only
     * a few entries ({@link #MAX_ENTRIES_APPLIED_HERE}): applying a large batch here would hold
     * back the loop's next persist, the overlap the apply stage exists for.
     */
    void applyHereIfIdle(List<Entry> entries) throws InterruptedException {
        if (entries.isEmpty()) {
            return;
        }
        // Only the loop's turn hands work over, so nothing can be queued between this look and the lock;
        // the lock is still busy for a moment after the apply thread finished its last task.
        if (fewAndIdle(entries) && applying.tryLock()) {
            try {
                runBurst(() -> applyBatch(entries));
            } finally {
                applying.unlock();
            }
            return;
        }
        apply(entries);
    }

    /**
     * Hands over {@code entries} (committed, in log order, all durable on this node) as
     * {@link #apply} does, but when nothing is queued or running and they are only a few
     * ({@link #MAX_ENTRIES_APPLIED_HERE}), queues them without waking the apply thread and
     * returns true: the caller must then call {@link #applyDeferred} soon, on any thread (the
     * loop's, once what its turn sends is written). For a follower's turn on the peers' event
     * loop, whose synced write and acknowledgement come first.
     */
    boolean applyAfterTurn(List<Entry> entries) throws InterruptedException {
        if (entries.isEmpty()) {
            return false;
        }
        // Behind other work the apply thread, awake for that, takes these too: hand them over.
        if (!fewAndIdle(entries)) {
            apply(entries);
            return false;
        }
        unfinished.incrementAndGet();
        queue.add(batchTask(entries, sizeOf(entries)));
        return true;
    }

    /** At most {@link #MAX_ENTRIES_APPLIED_HERE} entries, and nothing queued or being applied. */
    private boolean fewAndIdle(List<Entry> entries) {
        return entries.size() <= MAX_ENTRIES_APPLIED_HERE && unfinished.get() == 0;
    }

    /**
     * Runs on the calling thread what {@link #applyAfterTurn} queued, and whatever was queued
     * before or with it, unless another thread is applying; what it leaves is the apply
     * thread's, woken for it.
     */
    void applyDeferred() {
        if (unfinished.get() != 0 && applying.tryLock()) {
            try {
                runBurst(this::runQueuedBurst);
            } finally {
                applying.unlock();
            }
        }
        if (!queue.isEmpty()) {
            wakeThread();
        }
    }

    /** Completes {@code read} once everything up to {@code readIndex} is applied. */
    void awaitApplied(long readIndex, CompletableFuture<Long> read) {
        enqueue(() -> {
            if (readIndex <= appliedIndex) {
                read.complete(appliedIndex);
            } else {
                readsAwaitingApply.computeIfAbsent(readIndex, k -> new ArrayList<>()).add(read);
            }
        });
    }

    void setCompletionScope(CompletionScope scope) {
        this.completionScope = scope;
    }

    /**
     * Waits until everything handed over so far is applied, so the caller may replace the
     * state (install a snapshot) while nothing applies. The caller must hand over nothing
     * while it relies on that.
     */
    void awaitIdle() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        enqueue(done::countDown);
        while (!done.await(100, TimeUnit.MILLISECONDS)) {
            if (!running) {
                return;
            }
        }
    }

    /** The state was replaced by a snapshot at {@code index}; called while the applier is idle. */
    void restored(long index, ConfState conf) {
        appliedIndex = index;
        appliedConf = conf;
        enqueue(this::releaseReads);
    }

    private void enqueue(Runnable task) {
        unfinished.incrementAndGet();
        queue.add(task);
        wakeThread();
    }

    private void wakeThread() {
        if (threadWaiting) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (running) {
            if (queue.isEmpty()) {
                // Set before the second look: a producer that adds after that look sees the flag.
                threadWaiting = true;
                if (queue.isEmpty() && running) {
                    LockSupport.park(this);
                }
                threadWaiting = false;
                // Only closing means stop, and it clears running first; a flag left set (by a
                // callback that re-asserted one) would make every later park return at once.
                Thread.interrupted();
                continue;
            }
            applying.lock();
            try {
                if (!runBurst(this::runQueuedBurst)) {
                    return;
                }
            } finally {
                applying.unlock();
            }
        }
    }

    /**
     * One burst, holding {@link #applying}: the tasks queued when it starts (the reads one
     * ReadIndex round released come as one task each), bounded so a burst always ends.
     */
    private void runQueuedBurst() {
        for (int left = unfinished.get(); left > 0 && running; left--) {
            Runnable next = queue.poll();
            if (next == null) {
                break;
            }
            try {
                next.run();
            } finally {
                unfinished.decrementAndGet();
            }
        }
    }

    /**
     * Runs {@code burst} inside the completion scope, holding {@link #applying}; false when it
     * failed, which stops the applier and tells the node.
     */
    private boolean runBurst(Runnable burst) {
        try {
            completionScope.run(burst);
            return true;
        } catch (RuntimeException e) {
            running = false;
            listener.applyFailed(e);
            return false;
        }
    }

    private void applyBatch(List<Entry> entries) {
        List<Runnable> completions = new ArrayList<>();
        ConfState after = appliedConf;
        List<ConfChange> changes = new ArrayList<>();
        Entry last = entries.get(entries.size() - 1);
        for (Entry e : entries) {
            if (e.type() == EntryType.CONF_CHANGE) {
                after = after.apply(ConfChange.decode(e.data()));
            }
        }
        store.applyBatch(last.index(), after, batch -> {
            for (Entry e : entries) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    ConfChange cc = ConfChange.decode(e.data());
                    changes.add(cc);
                    if (cc.type() == ConfChangeType.REMOVE_NODE) {
                        PeerAddressBook.remove(batch, cc.nodeId());
                    } else if (cc.context().length > 0) {
                        PeerAddressBook.put(batch, cc.nodeId(), new String(cc.context(), StandardCharsets.UTF_8));
                    }
                    continue;
                }
                if (e.data().length == 0) {
                    continue; // a new leader's no-op
                }
                byte[] data = e.data();
                ProposalHeader h = ProposalHeader.read(data);
                if (h == null) {
                    throw new IllegalStateException("entry " + e.index() + " of " + data.length
                            + " bytes is shorter than a proposal's header");
                }
                byte[] result = stateMachine.apply(e.index(), data, ProposalHeader.SIZE, data.length - ProposalHeader.SIZE,
                        batch);
                if (h.origin() == nodeId && h.incarnation() == incarnation) {
                    CompletableFuture<byte[]> f = proposals.remove(h.seq());
                    if (f != null) {
                        completions.add(() -> f.complete(result));
                    }
                }
            }
            stateMachine.finishBatch(batch);
        });
        appliedConf = after;
        appliedIndex = last.index();
        stateMachine.batchWritten(last.index());
        appliedEntries.addAndGet(entries.size());
        metrics.proposalsCommitted(completions.size());
        completions.forEach(Runnable::run);
        releaseReads();
        if (!changes.isEmpty()) {
            listener.membershipApplied(after, changes);
        }
        listener.batchApplied(last.index());
    }

    private void releaseReads() {
        long applied = appliedIndex;
        while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= applied) {
            for (CompletableFuture<Long> f : readsAwaitingApply.pollFirstEntry().getValue()) {
                f.complete(applied);
            }
        }
    }

    /** Stops the apply thread; work still queued is dropped (its callers are failed by the node). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        synchronized (pendingLock) {
            pendingLock.notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
