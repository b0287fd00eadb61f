package io.kvorum.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A client of a Kvorum cluster: the blocking API, and {@link #async()} for the same calls
 * returning futures. Thread-safe; make one per application and share it.
 *
 * <pre>{@code
 * try (KvorumClient client = KvorumClient.builder().endpoints("n1:7379", "n2:7379", "n3:7379").build()) {
 *     client.create("/config", "v1".getBytes(UTF_8));
 *     NodeData d = client.get("/config");
 *     client.set("/config", "v2".getBytes(UTF_8), d.stat().version());   // compare-and-set
 * }
 * }</pre>
 *
 * <h2>Failures and retries</h2>
 * Every call has a deadline (the builder's default, or {@link RequestOptions#deadline}) that
 * covers all its attempts. An attempt that fails because a node is down, hung, or has no leader
 * is retried on another node after a jittered, growing delay, following the leader's address
 * when a node names it. Writes carry this client's id and a per-write sequence number that
 * stays the same across retries, so the cluster applies a retried write exactly once. Failures
 * that are answers (the node exists, a bad version, ...) are thrown at once as the matching
 * {@link KvorumException} subclass. When no node can serve a call within its deadline it fails
 * with {@link ClusterUnavailableException}, which lists the endpoints tried; the client needs
 * no restart: the next calls succeed once nodes return.
 *
 * <h2>Reads</h2>
 * Linearizable by default. {@link RequestOptions#serializable()} reads the answering node's
 * copy, but never one older than the newest revision this client has seen.
 */
public final class KvorumClient implements AutoCloseable {
    /** The expected version that matches any version: a set or delete that is not a compare-and-set. */
    public static final long ANY_VERSION = -1;

    private final ClientCore core;
    private final AsyncKvorumClient async;
    private final ClusterAdmin cluster;
    private final AuthAdmin auth;

    KvorumClient(ClientConfig config) {
        this.core = new ClientCore(config);
        this.async = new AsyncKvorumClient(core);
        this.cluster = new ClusterAdmin(core);
        this.auth = new AuthAdmin(core);
    }

    public static KvorumClientBuilder builder() {
        return new KvorumClientBuilder();
    }

    /** The same client's asynchronous API. */
    public AsyncKvorumClient async() {
        return async;
    }

    /** Users, roles and the auth switch. */
    public AuthAdmin auth() {
        return auth;
    }

    /** Membership and status. */
    public ClusterAdmin cluster() {
        return cluster;
    }

    /** This client's id (a random UUID, made on first use), which the cluster uses to apply each of its writes once. */
    public String clientId() {
        return core.sequencer.clientId();
    }

    /** The configured endpoints. */
    public List<String> endpoints() {
        return core.endpoints.addresses();
    }

    /** The highest revision this client has seen in any answer or watch event. */
    public long lastSeenRevision() {
        return core.revisions.highest();
    }

    // ------------------------------------------------------------------ data

    /** Creates a persistent node holding {@code data} as text (stored in UTF-8). */
    public CreateResult create(String path, String data) {
        return Blocking.await(async.create(path, data));
    }

    /** Creates a persistent node; returns the created node's path and stat. */
    public CreateResult create(String path, byte[] data) {
        return Blocking.await(async.create(path, data));
    }

    /** Creates a node; ephemeral modes are owned by the client's session. */
    public CreateResult create(String path, byte[] data, CreateMode mode) {
        return Blocking.await(async.create(path, data, mode));
    }

    /**
     * Creates a node.
     *
     * @throws NodeExistsException when it exists
     * @throws NoNodeException when its parent does not exist
     * @throws NoChildrenForEphemeralsException when its parent is ephemeral
     */
    public CreateResult create(String path, byte[] data, CreateMode mode, RequestOptions options) {
        return Blocking.await(async.create(path, data, mode, options));
    }

    /** Creates {@code path} and its missing ancestors as empty persistent nodes. */
    public void ensurePath(String path) {
        Blocking.await(async.ensurePath(path));
    }

    /** {@link #ensurePath(String)} with per-call options. */
    public void ensurePath(String path, RequestOptions options) {
        Blocking.await(async.ensurePath(path, options));
    }

    /** Reads a node, linearizably. @throws NoNodeException when it does not exist */
    public NodeData get(String path) {
        return Blocking.await(async.get(path));
    }

    public NodeData get(String path, RequestOptions options) {
        return Blocking.await(async.get(path, options));
    }

    /** The node's stat, or empty when it does not exist. */
    public Optional<Stat> exists(String path) {
        return Blocking.await(async.exists(path));
    }

    public Optional<Stat> exists(String path, RequestOptions options) {
        return Blocking.await(async.exists(path, options));
    }

    /** All children's names, sorted. */
    public List<String> children(String path) {
        return Blocking.await(async.children(path));
    }

    public List<String> children(String path, RequestOptions options) {
        return Blocking.await(async.children(path, options));
    }

    /** All children with their stats, sorted by name, read page by page. */
    public List<ChildrenPage.Child> childrenWithStats(String path) {
        return Blocking.await(async.childrenWithStats(path));
    }

    public List<ChildrenPage.Child> childrenWithStats(String path, RequestOptions options) {
        return Blocking.await(async.childrenWithStats(path, options));
    }

    /** One page of children; see {@link AsyncKvorumClient#childrenPage}. */
    public ChildrenPage childrenPage(String path, int pageSize, String pageToken, boolean includeStat,
                                     RequestOptions options) {
        return Blocking.await(async.childrenPage(path, pageSize, pageToken, includeStat, options));
    }

    /** Sets data, given as text (stored in UTF-8), whatever the version; returns the new stat. */
    public Stat set(String path, String data) {
        return Blocking.await(async.set(path, data));
    }

    /** Sets data whatever the version; returns the new stat. */
    public Stat set(String path, byte[] data) {
        return Blocking.await(async.set(path, data));
    }

    /** Sets data if the node has {@code expectedVersion} ({@link #ANY_VERSION}: any). @throws BadVersionException otherwise */
    public Stat set(String path, byte[] data, long expectedVersion) {
        return Blocking.await(async.set(path, data, expectedVersion));
    }

    public Stat set(String path, byte[] data, long expectedVersion, RequestOptions options) {
        return Blocking.await(async.set(path, data, expectedVersion, options));
    }

    /** Deletes a node whatever its version; returns the delete's revision. */
    public long delete(String path) {
        return Blocking.await(async.delete(path));
    }

    /**
     * Deletes a node if it has {@code expectedVersion} ({@link #ANY_VERSION}: any).
     *
     * @throws NotEmptyException when it has children
     * @throws BadVersionException when its version differs
     */
    public long delete(String path, long expectedVersion) {
        return Blocking.await(async.delete(path, expectedVersion));
    }

    public long delete(String path, long expectedVersion, RequestOptions options) {
        return Blocking.await(async.delete(path, expectedVersion, options));
    }

    /**
     * Deletes a node and everything below it; see {@link AsyncKvorumClient#deleteRecursive}
     * (not atomic).
     */
    public void deleteRecursive(String path) {
        Blocking.await(async.deleteRecursive(path));
    }

    public void deleteRecursive(String path, RequestOptions options) {
        Blocking.await(async.deleteRecursive(path, options));
    }

    /** Applies {@code ops} atomically; see {@link AsyncKvorumClient#multi}. */
    public List<OpResult> multi(List<Op> ops) {
        return Blocking.await(async.multi(ops));
    }

    public List<OpResult> multi(List<Op> ops, RequestOptions options) {
        return Blocking.await(async.multi(ops, options));
    }

    // ------------------------------------------------------------------ sessions

    /**
     * The client's session, which owns ephemeral nodes created without an explicit session. It is
     * opened on first use and kept alive until the client closes; after it expires, the next call
     * opens a new one.
     */
    public Session session() {
        return Blocking.await(async.session());
    }

    /** Opens another session with its own TTL. */
    public Session openSession(Duration ttl) {
        return Blocking.await(async.openSession(ttl));
    }

    /**
     * Follows the client's session across replacements: told the current state when one is open,
     * then every change, and CONNECTED when a new session replaces an expired one.
     */
    public void addSessionStateListener(SessionStateListener listener) {
        core.sessions.addClientListener(listener);
    }

    public void removeSessionStateListener(SessionStateListener listener) {
        core.sessions.removeClientListener(listener);
    }

    // ------------------------------------------------------------------ watches and caches

    /** Watches a node and its set of children from now on; see {@link #watch(WatchSpec, WatchListener)}. */
    public Watch watch(String path, WatchListener listener) {
        return Blocking.await(async.watch(path, listener));
    }

    /**
     * Starts a watch and returns once a node confirmed it, so a "from now" watch sees every
     * change made after this returns. It then resumes by itself across node failures.
     *
     * @throws CompactedException when its start revision is no longer kept
     * @throws ClusterUnavailableException when no node confirmed it within the default deadline
     *         (the watch is cancelled)
     */
    public Watch watch(WatchSpec spec, WatchListener listener) {
        return Blocking.await(async.watch(spec, listener));
    }

    /** A cache of one node (not started). */
    public KvorumCache nodeCache(String path) {
        return new KvorumCache(this, path, false);
    }

    /** A cache of a whole subtree (not started). */
    public KvorumCache treeCache(String path) {
        return new KvorumCache(this, path, true);
    }

    ClientCore core() {
        return core;
    }

    /**
     * Closes the client: its sessions end (the cluster deletes their ephemeral nodes), watches
     * stop, and connections close.
     */
    @Override
    public void close() {
        core.close();
    }
}
