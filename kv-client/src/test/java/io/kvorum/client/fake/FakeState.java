package io.kvorum.client.fake;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.ResponseHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import io.kvorum.proto.v1.Stat;
import io.kvorum.proto.v1.WatchResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An in-memory Kvorum state machine for tests: a tree, one revision counter, sessions,
 * deduplication by (client id, sequence), and a history that watches replay. Not replicated:
 * several {@link FakeNode}s share one, like a cluster that is always in agreement.
 */
public final class FakeState {
    static final class Node {
        byte[] data;
        long createRev;
        long modRev;
        long version;
        long cversion;
        long owner;
        CreateMode mode;
        int nextSeq;
        int children;
    }

    private final TreeMap<String, Node> tree = new TreeMap<>();
    private long revision;
    private long oldestKept = 1;
    private final List<Event> history = new ArrayList<>();
    private final Map<Long, Long> sessions = new HashMap<>();
    private long nextSession = 100;
    private final Map<String, TreeMap<Long, Object>> answers = new HashMap<>();
    private final Map<String, Long> floors = new HashMap<>();
    private final List<WatchSub> subs = new ArrayList<>();
    /** Writes actually executed (not answered from the dedupe table). */
    public final AtomicInteger executedWrites = new AtomicInteger();
    /** Writes answered from the dedupe table. */
    public final AtomicInteger dedupedWrites = new AtomicInteger();
    /** Members whose watch streams get nothing (partitioned nodes). */
    public final java.util.Set<Long> frozen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The leader every node names in Status and ListMembers (0: none known). */
    public volatile long leaderId = 1;
    /** The raft term every answer's header carries (0: none, as before terms were modelled). */
    public volatile long raftTerm;
    /** Whether nodes serve ListMembers (off: UNIMPLEMENTED, as a server without discovery). */
    public volatile boolean listMembers;
    /** Members ListMembers reports: id to client address (nodes add themselves when they start). */
    public final java.util.Map<Long, String> members = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** Every write header seen, for assertions. */
    public final List<RequestHeader> writeHeaders = new ArrayList<>();

    static final class WatchSub {
        final StreamObserver<WatchResponse> out;
        final long id;
        final String path;
        final boolean recursive;
        final long memberId;

        WatchSub(StreamObserver<WatchResponse> out, long id, String path, boolean recursive, long memberId) {
            this.out = out;
            this.id = id;
            this.path = path;
            this.recursive = recursive;
            this.memberId = memberId;
        }

        boolean matches(String p) {
            return p.equals(path) || recursive && (path.equals("/") || p.startsWith(path + "/"));
        }
    }

    public FakeState() {
        Node root = new Node();
        root.data = new byte[0];
        root.mode = CreateMode.PERSISTENT;
        tree.put("/", root);
    }

    public synchronized long revision() {
        return revision;
    }

    public synchronized boolean has(String path) {
        return tree.containsKey(path);
    }

    public synchronized byte[] data(String path) {
        Node n = tree.get(path);
        return n == null ? null : n.data;
    }

    public synchronized List<String> paths() {
        return new ArrayList<>(tree.keySet());
    }

    public synchronized boolean sessionAlive(long id) {
        return sessions.containsKey(id);
    }

    ResponseHeader header(long memberId) {
        return ResponseHeader.newBuilder().setRevision(revision).setMemberId(memberId).setRaftTerm(raftTerm).build();
    }

    // ------------------------------------------------------------------ dedupe

    /** Runs a write once per (client, sequence): a retry gets the first answer (or error). */
    @SuppressWarnings("unchecked")
    synchronized <T extends Message> T write(RequestHeader h, Supplier<T> execute) {
        writeHeaders.add(h);
        if (h.getClientId().isEmpty()) {
            executedWrites.incrementAndGet();
            return execute.get();
        }
        TreeMap<Long, Object> mine = answers.computeIfAbsent(h.getClientId(), k -> new TreeMap<>());
        long floor = floors.getOrDefault(h.getClientId(), 0L);
        if (h.getLowestUnansweredSequence() > floor) {
            floor = h.getLowestUnansweredSequence();
            floors.put(h.getClientId(), floor);
            mine.headMap(floor).clear();
        }
        if (h.getSequence() < floor) {
            throw Errs.sessionExpired("sequence " + h.getSequence() + " forgotten");
        }
        Object prior = mine.get(h.getSequence());
        if (prior != null) {
            dedupedWrites.incrementAndGet();
            if (prior instanceof StatusRuntimeException e) {
                throw e;
            }
            return (T) prior;
        }
        executedWrites.incrementAndGet();
        try {
            T result = execute.get();
            mine.put(h.getSequence(), result);
            return result;
        } catch (StatusRuntimeException e) {
            mine.put(h.getSequence(), e);
            throw e;
        }
    }

    // ------------------------------------------------------------------ tree

    synchronized CreateResponse create(CreateRequest r, long memberId) {
        String path = r.getPath();
        if (!path.startsWith("/") || path.equals("/") || path.endsWith("/") || path.contains("//")) {
            throw Errs.invalidPath(path);
        }
        String parentPath = parent(path);
        Node parent = tree.get(parentPath);
        if (parent == null) {
            throw Errs.noNode(parentPath);
        }
        if (parent.owner != 0) {
            throw Errs.of(io.grpc.Status.Code.FAILED_PRECONDITION, ErrorReason.NO_CHILDREN_FOR_EPHEMERALS,
                    "ephemeral parent", "path", parentPath);
        }
        boolean ephemeral = r.getMode() == CreateMode.EPHEMERAL || r.getMode() == CreateMode.EPHEMERAL_SEQUENTIAL;
        if (ephemeral && !sessions.containsKey(r.getSessionId())) {
            throw Errs.sessionExpired("session " + r.getSessionId() + " is unknown");
        }
        if (r.getMode() == CreateMode.PERSISTENT_SEQUENTIAL || r.getMode() == CreateMode.EPHEMERAL_SEQUENTIAL) {
            path = path + String.format("%010d", parent.nextSeq++);
        }
        if (tree.containsKey(path)) {
            throw Errs.exists(path);
        }
        long rev = ++revision;
        Node n = new Node();
        n.data = r.getData().toByteArray();
        n.createRev = rev;
        n.modRev = rev;
        n.mode = r.getMode();
        n.owner = ephemeral ? r.getSessionId() : 0;
        tree.put(path, n);
        parent.children++;
        parent.cversion++;
        emit(List.of(event(Event.Type.CREATED, path, n, rev), event(Event.Type.CHILDREN_CHANGED, parentPath, parent,
                rev)));
        return CreateResponse.newBuilder().setHeader(header(memberId)).setPath(path).setStat(stat(n)).build();
    }

    synchronized SetResponse set(SetRequest r, long memberId) {
        Node n = tree.get(r.getPath());
        if (n == null) {
            throw Errs.noNode(r.getPath());
        }
        if (r.getExpectedVersion() != -1 && r.getExpectedVersion() != n.version) {
            throw Errs.badVersion(r.getPath());
        }
        long rev = ++revision;
        n.data = r.getData().toByteArray();
        n.modRev = rev;
        n.version++;
        emit(List.of(event(Event.Type.CHANGED, r.getPath(), n, rev)));
        return SetResponse.newBuilder().setHeader(header(memberId)).setStat(stat(n)).build();
    }

    synchronized DeleteResponse delete(DeleteRequest r, long memberId) {
        Node n = tree.get(r.getPath());
        if (n == null) {
            throw Errs.noNode(r.getPath());
        }
        if (r.getExpectedVersion() != -1 && r.getExpectedVersion() != n.version) {
            throw Errs.badVersion(r.getPath());
        }
        if (n.children > 0) {
            throw Errs.notEmpty(r.getPath());
        }
        remove(r.getPath());
        return DeleteResponse.newBuilder().setHeader(header(memberId)).build();
    }

    private void remove(String path) {
        long rev = ++revision;
        tree.remove(path);
        Node parent = tree.get(parent(path));
        parent.children--;
        parent.cversion++;
        emit(List.of(Event.newBuilder().setType(Event.Type.DELETED).setPath(path).setRevision(rev).build(),
                event(Event.Type.CHILDREN_CHANGED, parent(path), parent, rev)));
    }

    synchronized Node get(String path) {
        Node n = tree.get(path);
        if (n == null) {
            throw Errs.noNode(path);
        }
        return n;
    }

    synchronized Node find(String path) {
        return tree.get(path);
    }

    synchronized ChildrenResponse children(ChildrenRequest r, long memberId) {
        get(r.getPath());
        String prefix = r.getPath().equals("/") ? "/" : r.getPath() + "/";
        int pageSize = r.getPageSize() == 0 ? 1000 : r.getPageSize();
        ChildrenResponse.Builder b = ChildrenResponse.newBuilder().setHeader(header(memberId));
        String after = r.getPageToken();
        for (Map.Entry<String, Node> e : tree.tailMap(prefix, false).entrySet()) {
            String p = e.getKey();
            if (!p.startsWith(prefix)) {
                break;
            }
            String name = p.substring(prefix.length());
            if (name.contains("/") || (!after.isEmpty() && name.compareTo(after) <= 0)) {
                continue;
            }
            if (b.getChildrenCount() == pageSize) {
                b.setNextPageToken(b.getChildren(pageSize - 1).getName());
                break;
            }
            Child.Builder c = Child.newBuilder().setName(name);
            if (r.getIncludeStat()) {
                c.setStat(stat(e.getValue()));
            }
            b.addChildren(c);
        }
        return b.build();
    }

    // ------------------------------------------------------------------ sessions

    synchronized long openSession(long ttlMillis) {
        long id = nextSession++;
        sessions.put(id, ttlMillis);
        revision++;
        return id;
    }

    synchronized Long sessionTtl(long id) {
        return sessions.get(id);
    }

    /** Ends a session as the leader would on expiry: its ephemerals are deleted. */
    public synchronized void expireSession(long id) {
        if (sessions.remove(id) == null) {
            return;
        }
        List<String> owned = new ArrayList<>();
        for (Map.Entry<String, Node> e : tree.entrySet()) {
            if (e.getValue().owner == id) {
                owned.add(e.getKey());
            }
        }
        for (String p : owned) {
            remove(p);
        }
    }

    // ------------------------------------------------------------------ watches

    /** Forgets history below {@code revision}: watches asking for older revisions get COMPACTED. */
    public synchronized void compact(long revision) {
        oldestKept = revision;
        history.removeIf(e -> e.getRevision() < revision);
    }

    synchronized void watch(WatchSub sub, long start, long memberId) {
        if (start != 0 && start < oldestKept) {
            sub.out.onNext(WatchResponse.newBuilder().setHeader(header(memberId)).setWatchId(sub.id).setCanceled(true)
                    .setCancelError(ErrorReason.COMPACTED).setCancelReason("compacted").setCompactRevision(oldestKept)
                    .build());
            return;
        }
        sub.out.onNext(WatchResponse.newBuilder().setHeader(header(memberId)).setWatchId(sub.id).setCreated(true)
                .build());
        if (start != 0) {
            List<Event> batch = new ArrayList<>();
            long batchRev = -1;
            for (Event e : history) {
                if (e.getRevision() < start || !sub.matches(e.getPath())) {
                    continue;
                }
                if (e.getRevision() != batchRev && !batch.isEmpty()) {
                    send(sub, batch, batchRev);
                    batch = new ArrayList<>();
                }
                batchRev = e.getRevision();
                batch.add(e);
            }
            if (!batch.isEmpty()) {
                send(sub, batch, batchRev);
            }
        }
        subs.add(sub);
    }

    synchronized void unwatch(StreamObserver<WatchResponse> out, long id) {
        subs.removeIf(s -> s.out == out && (id < 0 || s.id == id));
    }

    synchronized void progress(StreamObserver<WatchResponse> out, long memberId) {
        for (WatchSub s : subs) {
            if (s.out == out) {
                s.out.onNext(WatchResponse.newBuilder().setHeader(header(memberId)).setWatchId(s.id).setProgress(true)
                        .build());
            }
        }
    }

    private void emit(List<Event> events) {
        history.addAll(events);
        long rev = events.get(0).getRevision();
        Iterator<WatchSub> it = subs.iterator();
        while (it.hasNext()) {
            WatchSub s = it.next();
            if (frozen.contains(s.memberId)) {
                continue;
            }
            List<Event> mine = new ArrayList<>();
            for (Event e : events) {
                if (s.matches(e.getPath())) {
                    mine.add(e);
                }
            }
            if (!mine.isEmpty()) {
                try {
                    send(s, mine, rev);
                } catch (RuntimeException gone) {
                    it.remove();
                }
            }
        }
    }

    private void send(WatchSub s, List<Event> events, long rev) {
        s.out.onNext(WatchResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(rev)
                .setMemberId(s.memberId)).setWatchId(s.id).addAllEvents(events).build());
    }

    /** Cancels every watch with WATCHER_TOO_SLOW, as a node does when a watcher's buffer overflows. */
    public synchronized void cancelAllTooSlow() {
        for (WatchSub s : subs) {
            s.out.onNext(WatchResponse.newBuilder().setHeader(header(s.memberId)).setWatchId(s.id).setCanceled(true)
                    .setCancelError(ErrorReason.WATCHER_TOO_SLOW).setCancelReason("too slow").build());
        }
        subs.clear();
    }

    private static Event event(Event.Type type, String path, Node n, long rev) {
        return Event.newBuilder().setType(type).setPath(path).setData(ByteString.copyFrom(n.data)).setStat(stat(n))
                .setRevision(rev).build();
    }

    static Stat stat(Node n) {
        return Stat.newBuilder().setCreateRevision(n.createRev).setModRevision(n.modRev).setVersion(n.version)
                .setChildrenVersion(n.cversion).setEphemeralOwner(n.owner).setDataLength(n.data.length)
                .setNumChildren(n.children).setMode(n.mode).build();
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i == 0 ? "/" : path.substring(0, i);
    }
}
