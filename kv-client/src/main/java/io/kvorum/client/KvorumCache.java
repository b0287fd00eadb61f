package io.kvorum.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local copy of one node or a whole subtree, kept current by a watch (like Curator's
 * CuratorCache). Make one with {@link KvorumClient#nodeCache} or {@link KvorumClient#treeCache},
 * then {@link #start()}.
 *
 * <p>How it stays exact: it first asks (linearizably) whether the root exists, at revision R0;
 * then reads every node, each read at some revision of at least R0; then watches from R0 + 1.
 * Replaying those events over the loaded copy applies each one only if it is newer than the
 * node's copy (by mod revision), so after the watch passes the newest revision the load saw the
 * copy equals the cluster's state at that revision: then the cache is initialized and its
 * listeners hear every later change, in order. If the watch falls so far behind that its
 * revisions were compacted, the cache loads again and reports the differences as changes.
 */
public final class KvorumCache implements AutoCloseable {
    private static final long PROGRESS_POLL_MILLIS = 200;

    private final KvorumClient client;
    private final ClientCore core;
    private final String root;
    private final boolean subtree;
    private final List<CacheListener> listeners = new CopyOnWriteArrayList<>();
    private final SerialExecutor notifier;
    private final CompletableFuture<Void> initializedFuture = new CompletableFuture<>();

    // Guarded by this.
    private final TreeMap<String, NodeData> nodes = new TreeMap<>();
    private long loadRevision;
    private long appliedRevision;
    private boolean initialized;
    private boolean starting;
    private boolean closed;
    private int generation;
    private Watch watch;
    private ScheduledFuture<?> progressPoll;
    private int reloadFailures;

    KvorumCache(KvorumClient client, String root, boolean subtree) {
        this.client = client;
        this.core = client.core();
        this.root = Objects.requireNonNull(root, "root");
        this.subtree = subtree;
        this.notifier = new SerialExecutor(core.events);
    }

    /** The cached root path. */
    public String root() {
        return root;
    }

    public void addListener(CacheListener listener) {
        listeners.add(listener);
    }

    public void removeListener(CacheListener listener) {
        listeners.remove(listener);
    }

    /**
     * Loads the cache and waits until it is current: at most twice the client's default
     * deadline, one for the initial load (whose reads each have the deadline) and one for the
     * watch to catch up with it.
     *
     * @throws ClusterUnavailableException when the initial load could not be done
     * @throws DeadlineExceededException when the watch did not catch up in time (the cache keeps trying)
     */
    public void start() {
        long millis = core.config.defaultDeadline().toMillis() * 2;
        CompletableFuture<Void> waited = startAsync().copy().orTimeout(millis, TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    if (Futures.unwrap(e) instanceof java.util.concurrent.TimeoutException) {
                        throw new DeadlineExceededException("cache of " + root + " did not catch up within "
                                + millis + " ms; it keeps trying", e, List.of());
                    }
                    throw Futures.rethrow(Futures.unwrap(e));
                });
        Blocking.await(waited);
    }

    /** Starts loading; completes once the cache is initialized. */
    public CompletableFuture<Void> startAsync() {
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new ClientClosedException("the cache of " + root + " is closed"));
            }
            if (starting || initialized) {
                return initializedFuture;
            }
            starting = true;
        }
        load().whenComplete((loaded, e) -> {
            if (e != null) {
                synchronized (this) {
                    starting = false; // a later start() tries again
                }
                initializedFuture.completeExceptionally(Futures.unwrap(e));
            } else {
                begin(loaded);
            }
        });
        return initializedFuture;
    }

    public synchronized boolean isInitialized() {
        return initialized;
    }

    /** The revision the cache reflects. */
    public synchronized long revision() {
        return appliedRevision;
    }

    /** The cached node at {@code path}, if any. */
    public synchronized Optional<NodeData> get(String path) {
        return Optional.ofNullable(nodes.get(path));
    }

    /** A copy of every cached node, by path. */
    public synchronized SortedMap<String, NodeData> snapshot() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    }

    /** The cached direct children of {@code path}, sorted by path. */
    public synchronized List<NodeData> children(String path) {
        String prefix = path.equals("/") ? "/" : path + "/";
        List<NodeData> out = new ArrayList<>();
        for (Map.Entry<String, NodeData> e : nodes.tailMap(prefix, false).entrySet()) {
            String p = e.getKey();
            if (!p.startsWith(prefix)) {
                break;
            }
            if (p.indexOf('/', prefix.length()) == -1) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    public synchronized int size() {
        return nodes.size();
    }

    @Override
    public void close() {
        Watch w;
        synchronized (this) {
            closed = true;
            generation++;
            w = watch;
            watch = null;
            stopPolling();
        }
        if (w != null) {
            w.cancel();
        }
        initializedFuture.completeExceptionally(new ClientClosedException("the cache of " + root + " was closed"));
    }

    // ------------------------------------------------------------------ loading

    /** What a load read: the nodes, the revision of the first read and the newest any read saw. */
    private static final class Loaded {
        final ConcurrentSkipListMap<String, NodeData> nodes = new ConcurrentSkipListMap<>();
        final long startRevision;
        final AtomicLong newest;

        Loaded(long startRevision) {
            this.startRevision = startRevision;
            this.newest = new AtomicLong(startRevision);
        }
    }

    private CompletableFuture<Loaded> load() {
        AsyncKvorumClient async = client.async();
        return async.existence(root, RequestOptions.DEFAULT).thenCompose(ex -> {
            Loaded loaded = new Loaded(ex.revision());
            if (ex.stat() == null) {
                return CompletableFuture.completedFuture(loaded);
            }
            return loadNode(async, root, loaded).thenApply(v -> loaded);
        });
    }

    private CompletableFuture<Void> loadNode(AsyncKvorumClient async, String path, Loaded loaded) {
        return async.get(path).handle((node, e) -> {
            if (e != null) {
                if (Futures.unwrap(e) instanceof NoNodeException) {
                    return null; // deleted since it was listed: the watch reports it
                }
                throw Futures.rethrow(Futures.unwrap(e));
            }
            loaded.nodes.put(path, node);
            loaded.newest.accumulateAndGet(node.revision(), Math::max);
            return node;
        }).thenCompose(node -> {
            if (node == null || !subtree || node.stat().numChildren() == 0) {
                return CompletableFuture.completedFuture(null);
            }
            return async.children(path).handle((names, e) -> {
                if (e != null) {
                    if (Futures.unwrap(e) instanceof NoNodeException) {
                        return List.<String>of();
                    }
                    throw Futures.rethrow(Futures.unwrap(e));
                }
                return names;
            }).thenCompose(names -> {
                List<CompletableFuture<Void>> kids = new ArrayList<>(names.size());
                for (String name : names) {
                    kids.add(loadNode(async, child(path, name), loaded));
                }
                return CompletableFuture.allOf(kids.toArray(CompletableFuture[]::new));
            });
        });
    }

    /** Installs a load and starts the watch after it; after a reload, reports the differences. */
    private void begin(Loaded loaded) {
        synchronized (this) {
            if (closed) {
                return;
            }
            reloadFailures = 0;
            int gen = ++generation;
            TreeMap<String, NodeData> before = new TreeMap<>(nodes);
            nodes.clear();
            nodes.putAll(loaded.nodes);
            loadRevision = loaded.newest.get();
            appliedRevision = loaded.startRevision;
            if (initialized) {
                reportDifferences(before, loadRevision);
                appliedRevision = loadRevision;
            }
            // Not waited for: the follower hears its events, and a refusal (compaction) reloads.
            Follower follower = new Follower(gen);
            WatchImpl w = core.watches.watch(new WatchSpec(root, subtree, loaded.startRevision + 1), follower);
            watch = w;
            w.established.whenComplete((ok, e) -> {
                Throwable c = Futures.unwrap(e);
                if (c instanceof KvorumException ke && !(c instanceof ClientClosedException)) {
                    follower.onError(ke);
                }
            });
            if (!initialized && appliedRevision >= loadRevision) {
                becomeInitialized();
            } else if (!initialized) {
                startPolling();
            }
        }
    }

    private void reload(int gen) {
        Watch old;
        synchronized (this) {
            if (closed || gen != generation) {
                return;
            }
            generation++; // the old watch's last callbacks are ignored from here
            old = watch;
            watch = null;
        }
        if (old != null) {
            old.cancel();
        }
        load().whenComplete((loaded, e) -> {
            if (e == null) {
                begin(loaded);
                return;
            }
            int failures;
            synchronized (this) {
                if (closed) {
                    return;
                }
                failures = ++reloadFailures;
            }
            int g;
            synchronized (this) {
                g = generation;
            }
            try {
                core.scheduler.schedule(() -> reload(g), core.reconnectBackoff.delayNanos(failures),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closedClient) {
                // the client closed: nothing to follow any more
            }
        });
    }

    // ------------------------------------------------------------------ following the watch

    private final class Follower implements WatchListener {
        private final int gen;

        Follower(int gen) {
            this.gen = gen;
        }

        @Override
        public void onEvent(WatchEvent event) {
            synchronized (KvorumCache.this) {
                if (gen != generation || closed) {
                    return;
                }
                if (!initialized && event.revision() > loadRevision) {
                    becomeInitialized(); // every revision the load saw is applied
                }
                apply(event);
                appliedRevision = Math.max(appliedRevision, event.revision());
            }
        }

        @Override
        public void onProgress(long revision) {
            synchronized (KvorumCache.this) {
                if (gen != generation || closed) {
                    return;
                }
                appliedRevision = Math.max(appliedRevision, revision);
                if (!initialized && appliedRevision >= loadRevision) {
                    becomeInitialized();
                }
            }
        }

        @Override
        public void onError(KvorumException error) {
            if (error instanceof CompactedException) {
                reload(gen);
                return;
            }
            synchronized (KvorumCache.this) {
                if (gen != generation || closed) {
                    return;
                }
            }
            for (CacheListener l : listeners) {
                notifier.execute(() -> l.failed(error));
            }
            initializedFuture.completeExceptionally(error);
        }
    }

    private void apply(WatchEvent e) {
        if (!inScope(e.path())) {
            return;
        }
        NodeData old = nodes.get(e.path());
        if (e.type() == WatchEvent.Type.CHILDREN_CHANGED) {
            // Only the stat's child counts changed: keep the copy's stat current, silently.
            if (old != null && e.stat() != null && e.stat().createRevision() == old.stat().createRevision()) {
                nodes.put(e.path(), new NodeData(e.path(), old.data(), e.stat(), e.revision()));
            }
            return;
        }
        if (old != null && old.stat().modRevision() >= e.revision()) {
            return; // the loaded copy is already newer
        }
        if (e.type() == WatchEvent.Type.DELETED) {
            if (old != null) {
                nodes.remove(e.path());
                fire(new CacheEvent(CacheEvent.Type.DELETED, e.path(), old, null, e.revision()));
            }
            return;
        }
        NodeData now = new NodeData(e.path(), e.data(), e.stat(), e.revision());
        nodes.put(e.path(), now);
        fire(new CacheEvent(old == null ? CacheEvent.Type.CREATED : CacheEvent.Type.CHANGED, e.path(), old, now,
                e.revision()));
    }

    private boolean inScope(String path) {
        if (path.equals(root)) {
            return true;
        }
        return subtree && (root.equals("/") || path.startsWith(root + "/"));
    }

    private void reportDifferences(TreeMap<String, NodeData> before, long revision) {
        for (Map.Entry<String, NodeData> e : before.entrySet()) {
            if (!nodes.containsKey(e.getKey())) {
                fire(new CacheEvent(CacheEvent.Type.DELETED, e.getKey(), e.getValue(), null, revision));
            }
        }
        for (Map.Entry<String, NodeData> e : nodes.entrySet()) {
            NodeData old = before.get(e.getKey());
            if (old == null) {
                fire(new CacheEvent(CacheEvent.Type.CREATED, e.getKey(), null, e.getValue(), revision));
            } else if (old.stat().modRevision() != e.getValue().stat().modRevision()
                    || old.stat().createRevision() != e.getValue().stat().createRevision()) {
                fire(new CacheEvent(CacheEvent.Type.CHANGED, e.getKey(), old, e.getValue(), revision));
            }
        }
    }

    private void fire(CacheEvent event) {
        if (!initialized) {
            return; // the initial load is reported as a whole by initialized()
        }
        for (CacheListener l : listeners) {
            notifier.execute(() -> l.changed(event));
        }
    }

    private void becomeInitialized() {
        initialized = true;
        stopPolling();
        for (CacheListener l : listeners) {
            notifier.execute(l::initialized);
        }
        notifier.execute(() -> initializedFuture.complete(null));
    }

    /**
     * Until initialized, asks for progress every few hundred ms: on a quiet tree no event would
     * otherwise tell us the watch has passed the load's revision.
     */
    private void startPolling() {
        if (progressPoll != null) {
            return;
        }
        try {
            progressPoll = core.scheduler.scheduleAtFixedRate(core.watches::requestProgress, 0, PROGRESS_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing
        }
    }

    private void stopPolling() {
        if (progressPoll != null) {
            progressPoll.cancel(false);
            progressPoll = null;
        }
    }

    private static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }
}
