package io.kvorum.client;

import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.ExistsResponse;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The asynchronous API: every call returns at once with a future that completes with the
 * result or with a {@link KvorumException}. Futures complete on the client's threads, most on
 * the I/O thread that read the answer (no hand-off: it would cost every call a thread wake-up).
 * Chain light, non-blocking work on them, and hand heavy or blocking work to your own executor
 * ({@code ...Async(fn, executor)}): while a callback runs, that thread reads no other answers.
 * A blocking {@link KvorumClient} call made on an I/O thread fails with
 * {@link IllegalStateException} rather than wait for an answer only that thread could read.
 *
 * <p>Every call is retried within its deadline as {@link KvorumClient} describes; writes carry
 * this client's id and a sequence number, so a retried write is applied once.
 */
public final class AsyncKvorumClient {
    private final ClientCore core;

    AsyncKvorumClient(ClientCore core) {
        this.core = core;
    }

    // ------------------------------------------------------------------ create

    /** Creates a persistent node holding {@code data} as text (stored in UTF-8). */
    public CompletableFuture<CreateResult> create(String path, String data) {
        return create(path, utf8(data));
    }

    /** Creates a persistent node. */
    public CompletableFuture<CreateResult> create(String path, byte[] data) {
        return create(path, data, CreateMode.PERSISTENT, RequestOptions.DEFAULT);
    }

    /** Creates a node; ephemeral modes are owned by the client's session. */
    public CompletableFuture<CreateResult> create(String path, byte[] data, CreateMode mode) {
        return create(path, data, mode, RequestOptions.DEFAULT);
    }

    /**
     * Creates a node. Ephemeral modes are owned by {@code options.session()}, or the client's
     * session; TTL modes need {@code options.ttl()}.
     *
     * @throws NodeExistsException (in the future) when the node exists
     * @throws NoNodeException when the parent does not exist
     */
    public CompletableFuture<CreateResult> create(String path, byte[] data, CreateMode mode, RequestOptions options) {
        if (mode.needsTtl() && options.ttl() == null) {
            return CompletableFuture.failedFuture(new InvalidArgumentException("create " + path + " failed: mode "
                    + mode + " needs a TTL: pass RequestOptions.withTtl(...)", null, "INVALID_DATA", path, -1));
        }
        return sessionFor(mode, options).thenCompose(session -> {
            String what = "create " + path;
            CompletableFuture<CreateResponse> f = core.write(what, options, KVGrpc.getCreateMethod(),
                    h -> createRequest(path, data, mode, session, options.ttl()).setHeader(h).build(),
                    CreateResponse::getHeader);
            return probeOnExpiry(f, session).thenApply(r -> new CreateResult(r.getPath(),
                    ProtoConvert.stat(r.getStat()), r.getHeader().getRevision()));
        });
    }

    /**
     * Creates {@code path} and any missing ancestors as empty persistent nodes; nodes that
     * exist are left alone. Completes with nothing once the whole path exists.
     */
    public CompletableFuture<Void> ensurePath(String path) {
        return ensurePath(path, RequestOptions.DEFAULT);
    }

    /** {@link #ensurePath(String)} with per-call options. */
    public CompletableFuture<Void> ensurePath(String path, RequestOptions options) {
        // Usually the path exists already: one read instead of a write per level.
        return exists(path, options).thenCompose(stat -> stat.isPresent() ? CompletableFuture.completedFuture(null)
                : createPath(path, options));
    }

    private CompletableFuture<Void> createPath(String path, RequestOptions options) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int at = path.indexOf('/', 1); at != -1; at = path.indexOf('/', at + 1)) {
            String prefix = path.substring(0, at);
            chain = chain.thenCompose(v -> createIfMissing(prefix, options));
        }
        if (!path.equals("/")) {
            chain = chain.thenCompose(v -> createIfMissing(path, options));
        }
        return chain;
    }

    private CompletableFuture<Void> createIfMissing(String path, RequestOptions options) {
        return create(path, new byte[0], CreateMode.PERSISTENT, options).handle((r, e) -> {
            Throwable c = Futures.unwrap(e);
            if (c == null || c instanceof NodeExistsException) {
                return null;
            }
            throw Futures.rethrow(c);
        });
    }

    // ------------------------------------------------------------------ reads

    /** Reads a node, linearizably. Fails with {@link NoNodeException} when it does not exist. */
    public CompletableFuture<NodeData> get(String path) {
        return get(path, RequestOptions.DEFAULT);
    }

    /** Reads a node with the given consistency and deadline. */
    public CompletableFuture<NodeData> get(String path, RequestOptions options) {
        GetRequest.Builder r = GetRequest.newBuilder().setPath(path);
        consistency(options, r::setConsistency, r::setMinRevision);
        return core.read("get " + path, options, KVGrpc.getGetMethod(), r.build(), GetResponse::getHeader)
                .thenApply(g -> new NodeData(path, g.getData().toByteArray(), ProtoConvert.stat(g.getStat()),
                        g.getHeader().getRevision()));
    }

    /** The node's stat when it exists, else empty. */
    public CompletableFuture<Optional<Stat>> exists(String path) {
        return exists(path, RequestOptions.DEFAULT);
    }

    /** {@link #exists(String)} with per-call options (consistency, deadline). */
    public CompletableFuture<Optional<Stat>> exists(String path, RequestOptions options) {
        ExistsRequest.Builder r = ExistsRequest.newBuilder().setPath(path);
        consistency(options, r::setConsistency, r::setMinRevision);
        return core.read("exists " + path, options, KVGrpc.getExistsMethod(), r.build(), ExistsResponse::getHeader)
                .thenApply(e -> e.getExists() ? Optional.of(ProtoConvert.stat(e.getStat())) : Optional.empty());
    }

    /** Whether a node exists, with the revision the answer reflects (caches start their watch after it). */
    record Existence(Stat stat, long revision) {
    }

    CompletableFuture<Existence> existence(String path, RequestOptions options) {
        ExistsRequest.Builder r = ExistsRequest.newBuilder().setPath(path);
        consistency(options, r::setConsistency, r::setMinRevision);
        return core.read("exists " + path, options, KVGrpc.getExistsMethod(), r.build(), ExistsResponse::getHeader)
                .thenApply(e -> new Existence(e.getExists() ? ProtoConvert.stat(e.getStat()) : null,
                        e.getHeader().getRevision()));
    }

    /**
     * One page of a node's children, sorted by name.
     *
     * @param pageSize at most this many (0: the server's default, 1,000)
     * @param pageToken empty for the first page, else the previous page's {@link ChildrenPage#nextPageToken()}
     * @param includeStat whether to return each child's stat
     */
    public CompletableFuture<ChildrenPage> childrenPage(String path, int pageSize, String pageToken,
                                                        boolean includeStat, RequestOptions options) {
        ChildrenRequest.Builder r = ChildrenRequest.newBuilder().setPath(path).setPageSize(pageSize)
                .setPageToken(pageToken == null ? "" : pageToken).setIncludeStat(includeStat);
        consistency(options, r::setConsistency, r::setMinRevision);
        return core.read("children " + path, options, KVGrpc.getChildrenMethod(), r.build(),
                ChildrenResponse::getHeader).thenApply(ProtoConvert::page);
    }

    /** All children's names, sorted, read page by page (pages may reflect different revisions). */
    public CompletableFuture<List<String>> children(String path) {
        return children(path, RequestOptions.DEFAULT);
    }

    /** {@link #children(String)} with per-call options. */
    public CompletableFuture<List<String>> children(String path, RequestOptions options) {
        return allChildren(path, false, options).thenApply(list -> {
            List<String> names = new ArrayList<>(list.size());
            for (ChildrenPage.Child c : list) {
                names.add(c.name());
            }
            return List.copyOf(names);
        });
    }

    /** All children with their stats, sorted by name, read page by page. */
    public CompletableFuture<List<ChildrenPage.Child>> childrenWithStats(String path) {
        return childrenWithStats(path, RequestOptions.DEFAULT);
    }

    /** {@link #childrenWithStats(String)} with per-call options. */
    public CompletableFuture<List<ChildrenPage.Child>> childrenWithStats(String path, RequestOptions options) {
        return allChildren(path, true, options).thenApply(List::copyOf);
    }

    private CompletableFuture<List<ChildrenPage.Child>> allChildren(String path, boolean stats, RequestOptions options) {
        List<ChildrenPage.Child> out = new ArrayList<>();
        return nextPages(path, "", stats, options, out).thenApply(v -> out);
    }

    private CompletableFuture<Void> nextPages(String path, String token, boolean stats, RequestOptions options,
                                              List<ChildrenPage.Child> out) {
        return childrenPage(path, 0, token, stats, options).thenCompose(page -> {
            out.addAll(page.children());
            return page.hasNext() ? nextPages(path, page.nextPageToken(), stats, options, out)
                    : CompletableFuture.completedFuture(null);
        });
    }

    // ------------------------------------------------------------------ writes

    /** Sets a node's data, given as text (stored in UTF-8), whatever its version. */
    public CompletableFuture<Stat> set(String path, String data) {
        return set(path, utf8(data));
    }

    /** Sets a node's data whatever its version. */
    public CompletableFuture<Stat> set(String path, byte[] data) {
        return set(path, data, KvorumClient.ANY_VERSION, RequestOptions.DEFAULT);
    }

    /** Sets a node's data if it has {@code expectedVersion} ({@link KvorumClient#ANY_VERSION}: any); else {@link BadVersionException}. */
    public CompletableFuture<Stat> set(String path, byte[] data, long expectedVersion) {
        return set(path, data, expectedVersion, RequestOptions.DEFAULT);
    }

    /** {@link #set(String, byte[], long)} with per-call options. */
    public CompletableFuture<Stat> set(String path, byte[] data, long expectedVersion, RequestOptions options) {
        return core.write("set " + path, options, KVGrpc.getSetMethod(),
                h -> SetRequest.newBuilder().setHeader(h).setPath(path).setData(bytes(data))
                        .setExpectedVersion(expectedVersion).build(),
                SetResponse::getHeader).thenApply(r -> ProtoConvert.stat(r.getStat()));
    }

    /** Deletes a node whatever its version; completes with the revision of the delete. */
    public CompletableFuture<Long> delete(String path) {
        return delete(path, KvorumClient.ANY_VERSION, RequestOptions.DEFAULT);
    }

    /** Deletes a node if it has {@code expectedVersion} ({@link KvorumClient#ANY_VERSION}: any). */
    public CompletableFuture<Long> delete(String path, long expectedVersion) {
        return delete(path, expectedVersion, RequestOptions.DEFAULT);
    }

    /**
     * Deletes a node and everything below it, children first; completes when all is gone (a
     * node already gone counts as deleted). Not atomic: a reader may see part of the subtree
     * gone, and a child created meanwhile makes it fail with {@link NotEmptyException}. For
     * {@code "/"} it deletes everything below the root, which itself stays.
     */
    public CompletableFuture<Void> deleteRecursive(String path) {
        return deleteRecursive(path, RequestOptions.DEFAULT);
    }

    /** {@link #deleteRecursive(String)} with per-call options (each call gets the deadline). */
    public CompletableFuture<Void> deleteRecursive(String path, RequestOptions options) {
        return children(path, options).handle((names, e) -> {
            Throwable c = Futures.unwrap(e);
            if (c instanceof NoNodeException) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (c != null) {
                throw Futures.rethrow(c);
            }
            String prefix = path.equals("/") ? "/" : path + "/";
            CompletableFuture<?>[] below = names.stream().map(n -> deleteRecursive(prefix + n, options))
                    .toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(below).thenCompose(v -> path.equals("/")
                    ? CompletableFuture.<Void>completedFuture(null) : deleteIfPresent(path, options));
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Void> deleteIfPresent(String path, RequestOptions options) {
        return delete(path, KvorumClient.ANY_VERSION, options).handle((r, e) -> {
            Throwable c = Futures.unwrap(e);
            if (c == null || c instanceof NoNodeException) {
                return null;
            }
            throw Futures.rethrow(c);
        });
    }

    /** {@link #delete(String, long)} with per-call options. */
    public CompletableFuture<Long> delete(String path, long expectedVersion, RequestOptions options) {
        return core.write("delete " + path, options, KVGrpc.getDeleteMethod(),
                h -> DeleteRequest.newBuilder().setHeader(h).setPath(path).setExpectedVersion(expectedVersion).build(),
                DeleteResponse::getHeader).thenApply(r -> r.getHeader().getRevision());
    }

    /**
     * Applies {@code ops} atomically: all or none. On failure the exception's
     * {@link KvorumException#opIndex()} names the operation that failed.
     */
    public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
        return multi(ops, RequestOptions.DEFAULT);
    }

    /** {@link #multi(List)} with per-call options; ephemeral creates without a session use {@code options.session()} or the client's. */
    public CompletableFuture<List<OpResult>> multi(List<Op> ops, RequestOptions options) {
        boolean needsSession = false;
        for (Op op : ops) {
            if (op instanceof Op.Create c && c.mode().isEphemeral() && c.session() == null) {
                needsSession = true;
            }
        }
        CompletableFuture<Session> session = needsSession ? sessionFor(CreateMode.EPHEMERAL, options)
                : CompletableFuture.completedFuture(null);
        return session.thenCompose(s -> {
            List<io.kvorum.proto.v1.Op> protoOps = new ArrayList<>(ops.size());
            for (Op op : ops) {
                protoOps.add(toProto(op, s));
            }
            CompletableFuture<MultiResponse> f = core.write("multi of " + ops.size() + " ops", options,
                    KVGrpc.getMultiMethod(),
                    h -> MultiRequest.newBuilder().setHeader(h).addAllOps(protoOps).build(), MultiResponse::getHeader);
            return probeOnExpiry(f, s).thenApply(ProtoConvert::results);
        });
    }

    private static io.kvorum.proto.v1.Op toProto(Op op, Session defaultSession) {
        io.kvorum.proto.v1.Op.Builder b = io.kvorum.proto.v1.Op.newBuilder();
        if (op instanceof Op.Check c) {
            b.setCheck(CheckOp.newBuilder().setPath(c.path()).setExpectedVersion(c.expectedVersion()));
        } else if (op instanceof Op.Create c) {
            Session s = c.session() != null ? c.session() : c.mode().isEphemeral() ? defaultSession : null;
            b.setCreate(createRequest(c.path(), c.data(), c.mode(), s, c.ttl()));
        } else if (op instanceof Op.SetData s) {
            b.setSet(SetRequest.newBuilder().setPath(s.path()).setData(bytes(s.data()))
                    .setExpectedVersion(s.expectedVersion()));
        } else if (op instanceof Op.Delete d) {
            b.setDelete(DeleteRequest.newBuilder().setPath(d.path()).setExpectedVersion(d.expectedVersion()));
        }
        return b.build();
    }

    // ------------------------------------------------------------------ sessions

    /** The client's session, opened on first use (and anew after it expired). */
    public CompletableFuture<Session> session() {
        return core.sessions.defaultSession();
    }

    /** Opens another session with its own TTL, kept alive until closed. */
    public CompletableFuture<Session> openSession(Duration ttl) {
        return core.sessions.open(ttl);
    }

    // ------------------------------------------------------------------ watches

    /**
     * Starts a watch; the future completes once a node confirmed it, or fails if none did within
     * the default deadline (the watch is then cancelled) or the cluster refused it (e.g.
     * {@link CompactedException}). Watches a node and its set of children from now on. See
     * {@link Watch}.
     */
    public CompletableFuture<Watch> watch(String path, WatchListener listener) {
        return watch(WatchSpec.node(path), listener);
    }

    /** {@link #watch(String, WatchListener)} for any {@link WatchSpec}: subtree, start revision, filters. */
    public CompletableFuture<Watch> watch(WatchSpec spec, WatchListener listener) {
        WatchImpl w;
        try {
            w = core.watches.watch(spec, listener);
        } catch (KvorumException e) {
            return CompletableFuture.failedFuture(e);
        }
        long millis = core.config.defaultDeadline().toMillis();
        return w.established.copy().orTimeout(millis, TimeUnit.MILLISECONDS).exceptionally(e -> {
            Throwable c = Futures.unwrap(e);
            if (c instanceof TimeoutException) {
                w.cancel();
                throw new ClusterUnavailableException("watch " + spec.path() + " failed: no node confirmed it within "
                        + millis + " ms; tried " + core.endpoints.addresses(), c, null, core.endpoints.addresses(),
                        false);
            }
            throw Futures.rethrow(c);
        });
    }

    // ------------------------------------------------------------------ helpers

    private CompletableFuture<Session> sessionFor(CreateMode mode, RequestOptions options) {
        if (!mode.isEphemeral()) {
            return CompletableFuture.completedFuture(null);
        }
        return options.session() != null ? CompletableFuture.completedFuture(options.session())
                : core.sessions.defaultSession();
    }

    /** A write refused for an expired session makes the session ask the cluster now. */
    private static <T> CompletableFuture<T> probeOnExpiry(CompletableFuture<T> f, Session session) {
        if (session != null) {
            f.whenComplete((r, e) -> {
                if (Futures.unwrap(e) instanceof SessionExpiredException) {
                    session.probe();
                }
            });
        }
        return f;
    }

    private static CreateRequest.Builder createRequest(String path, byte[] data, CreateMode mode, Session session,
                                                       Duration ttl) {
        CreateRequest.Builder b = CreateRequest.newBuilder().setPath(path).setData(bytes(data))
                .setMode(ProtoConvert.mode(mode));
        if (session != null && mode.isEphemeral()) {
            b.setSessionId(session.id());
        }
        if (ttl != null && mode.needsTtl()) {
            b.setTtlMillis(ttl.toMillis());
        }
        return b;
    }

    private void consistency(RequestOptions options, java.util.function.Consumer<Consistency> setConsistency,
                             java.util.function.LongConsumer setMinRevision) {
        if (options.consistency() == ReadConsistency.SERIALIZABLE) {
            setConsistency.accept(Consistency.SERIALIZABLE);
            setMinRevision.accept(core.revisions.highest());
        }
    }

    private static byte[] utf8(String data) {
        return Objects.requireNonNull(data, "data").getBytes(StandardCharsets.UTF_8);
    }

    private static ByteString bytes(byte[] data) {
        return data == null ? ByteString.EMPTY : ByteString.copyFrom(data);
    }
}
