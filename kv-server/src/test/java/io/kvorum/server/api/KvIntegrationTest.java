package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.expect;
import static io.kvorum.server.api.Calls.retry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The KV service against a real 3-node cluster on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KvIntegrationTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;
    long leader;
    long follower;

    @BeforeEach
    void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "api-test");
        cluster.startAll();
        leader = cluster.awaitLeader();
        follower = cluster.other(leader);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private CreateResponse create(long node, String path, String data) {
        return retry(() -> cluster.kv(node).create(CreateRequest.newBuilder().setPath(path)
                .setData(ByteString.copyFromUtf8(data)).build()));
    }

    @Test
    void createUnderAMissingParentIsNotFound() {
        StatusRuntimeException e = expect(Code.NOT_FOUND, "NO_NODE", () -> cluster.kv(follower)
                .create(CreateRequest.newBuilder().setPath("/missing/child").build()));
        assertEquals("/missing", ErrorDetails.info(e).getMetadataOrThrow("path"));
        assertTrue(e.getStatus().getDescription().contains("/missing"));
    }

    @Test
    void createOfAnExistingNodeIsAlreadyExists() {
        create(follower, "/a", "1");
        StatusRuntimeException e = expect(Code.ALREADY_EXISTS, "NODE_EXISTS", () -> cluster.kv(leader)
                .create(CreateRequest.newBuilder().setPath("/a").build()));
        assertTrue(e.getStatus().getDescription().contains("/a"));
    }

    @Test
    void deleteWithChildrenAndStaleVersionsAreFailedPrecondition() {
        create(leader, "/p", "");
        create(leader, "/p/c", "");
        expect(Code.FAILED_PRECONDITION, "NOT_EMPTY", () -> cluster.kv(follower)
                .delete(DeleteRequest.newBuilder().setPath("/p").setExpectedVersion(-1).build()));
        SetResponse s = cluster.kv(follower).set(SetRequest.newBuilder().setPath("/p/c")
                .setData(ByteString.copyFromUtf8("v1")).setExpectedVersion(0).build());
        assertEquals(1, s.getStat().getVersion());
        expect(Code.FAILED_PRECONDITION, "BAD_VERSION", () -> cluster.kv(leader).set(SetRequest.newBuilder()
                .setPath("/p/c").setData(ByteString.copyFromUtf8("v2")).setExpectedVersion(0).build()));
        expect(Code.FAILED_PRECONDITION, "BAD_VERSION", () -> cluster.kv(leader).delete(DeleteRequest.newBuilder()
                .setPath("/p/c").setExpectedVersion(0).build()));
        cluster.kv(leader).delete(DeleteRequest.newBuilder().setPath("/p/c").setExpectedVersion(1).build());
        cluster.kv(leader).delete(DeleteRequest.newBuilder().setPath("/p").setExpectedVersion(-1).build());
        assertFalse(cluster.kv(follower).exists(ExistsRequest.newBuilder().setPath("/p").build()).getExists());
    }

    @Test
    void sequentialSuffixesAreUniqueAndIncreasingUnderConcurrentCreatorsOnDifferentNodes() throws Exception {
        create(leader, "/q", "");
        int perCreator = 30;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> creators = new ArrayList<>();
            for (long node : cluster.runningIds()) {
                creators.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < perCreator; i++) {
                        mine.add(cluster.kv(node).create(CreateRequest.newBuilder().setPath("/q/job-")
                                .setMode(CreateMode.PERSISTENT_SEQUENTIAL).build()).getPath());
                    }
                    return mine;
                }));
            }
            Set<String> all = new HashSet<>();
            for (Future<List<String>> f : creators) {
                List<String> mine = f.get(60, TimeUnit.SECONDS);
                List<String> sorted = new ArrayList<>(mine);
                Collections.sort(sorted);
                assertEquals(sorted, mine, "one creator's suffixes increase");
                all.addAll(mine);
            }
            assertEquals(3 * perCreator, all.size(), "no suffix is handed out twice");
            for (int i = 0; i < 3 * perCreator; i++) {
                assertTrue(all.contains(String.format("/q/job-%010d", i)), "suffixes are dense: " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void linearizableReadOnAFollowerSeesAWriteAcknowledgedByAnotherNode() {
        create(leader, "/lin", "0");
        for (int i = 1; i <= 30; i++) {
            long writer = i % 2 == 0 ? leader : cluster.other(follower);
            String v = Integer.toString(i);
            cluster.kv(writer).set(SetRequest.newBuilder().setPath("/lin").setData(ByteString.copyFromUtf8(v))
                    .setExpectedVersion(-1).build());
            GetResponse g = cluster.kv(follower).get(GetRequest.newBuilder().setPath("/lin").build());
            assertEquals(v, g.getData().toStringUtf8(), "read " + i + " on follower " + follower);
        }
    }

    @Test
    void serializableReadWithMinRevisionNeverGoesBack() {
        long rev = create(leader, "/ser", "x").getHeader().getRevision();
        GetResponse g = cluster.kv(follower).get(GetRequest.newBuilder().setPath("/ser")
                .setConsistency(Consistency.SERIALIZABLE).setMinRevision(rev).build());
        assertEquals("x", g.getData().toStringUtf8());
        assertTrue(g.getHeader().getRevision() >= rev);
        assertEquals(follower, g.getHeader().getMemberId());
        // A revision nobody reached yet waits for the deadline (the server's explanation races
        // the client's own timer on a loaded machine; RevisionWaiterTest checks the words).
        StatusRuntimeException e = assertThrowsStatus(() -> cluster.kv(follower)
                .withDeadlineAfter(500, TimeUnit.MILLISECONDS).get(GetRequest.newBuilder().setPath("/ser")
                        .setConsistency(Consistency.SERIALIZABLE).setMinRevision(rev + 1000).build()));
        assertEquals(Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    }

    @Test
    void responsesCarryRevisionMemberAndTerm() {
        CreateResponse c = create(follower, "/h", "");
        assertEquals(follower, c.getHeader().getMemberId());
        assertTrue(c.getHeader().getRevision() > 0);
        assertTrue(c.getHeader().getRaftTerm() > 0);
        assertEquals(c.getHeader().getRevision(), c.getStat().getCreateRevision());
    }

    @Test
    void multiIsAllOrNoneAndNamesTheFailingOperation() {
        create(leader, "/m", "");
        MultiRequest bad = MultiRequest.newBuilder()
                .addOps(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/m/one")))
                .addOps(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/m").setExpectedVersion(0)))
                .addOps(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/m/missing/two")))
                .build();
        StatusRuntimeException e = expect(Code.NOT_FOUND, "NO_NODE", () -> cluster.kv(follower).multi(bad));
        assertEquals("2", ErrorDetails.info(e).getMetadataOrThrow("op_index"));
        assertFalse(cluster.kv(leader).exists(ExistsRequest.newBuilder().setPath("/m/one").build()).getExists(),
                "the first create was not applied either");

        MultiResponse ok = cluster.kv(follower).multi(MultiRequest.newBuilder()
                .addOps(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/m/one")))
                .addOps(Op.newBuilder().setSet(SetRequest.newBuilder().setPath("/m/one").setExpectedVersion(0)
                        .setData(ByteString.copyFromUtf8("v"))))
                .addOps(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/m").setExpectedVersion(0)))
                .build());
        assertEquals(3, ok.getResultsCount());
        assertEquals("/m/one", ok.getResults(0).getCreate().getPath());
        assertEquals(1, ok.getResults(1).getSet().getStat().getVersion());
    }

    @Test
    void childrenArePaginatedOverTwentyThousandChildren() {
        create(leader, "/big", "");
        int total = 20_001;
        int op = 0;
        while (op < total) {
            MultiRequest.Builder m = MultiRequest.newBuilder();
            for (int i = 0; i < 128 && op < total; i++, op++) {
                m.addOps(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath(String.format("/big/c%05d", op))));
            }
            MultiRequest req = m.build();
            retry(() -> cluster.kv(leader).multi(req));
        }
        List<String> names = listAll(follower, 0);
        assertEquals(total, names.size());
        assertEquals(total, new HashSet<>(names).size());
        for (int i = 0; i < total; i++) {
            assertEquals(String.format("c%05d", i), names.get(i), "sorted by name");
        }
        assertEquals(names, listAll(leader, 50_000), "page_size is capped at 10,000");
        ChildrenResponse first = cluster.kv(follower).children(ChildrenRequest.newBuilder().setPath("/big")
                .setIncludeStat(true).build());
        assertEquals(PageSizes.defaults().defaultSize(), first.getChildrenCount());
        assertTrue(first.getChildren(0).hasStat());
    }

    private List<String> listAll(long node, int pageSize) {
        List<String> names = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ChildrenResponse page = cluster.kv(node).children(ChildrenRequest.newBuilder().setPath("/big")
                    .setPageSize(pageSize).setPageToken(token).build());
            for (Child c : page.getChildrenList()) {
                names.add(c.getName());
            }
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        int size = PageSizes.defaults().resolve(pageSize);
        assertEquals((names.size() + size - 1) / size, pages);
        return names;
    }

    @Test
    void badInputGetsAClearErrorAndTheClusterKeepsServing() {
        expect(Code.INVALID_ARGUMENT, "INVALID_PATH", () -> cluster.kv(follower).create(CreateRequest.newBuilder()
                .setPath("relative/path").build()));
        expect(Code.INVALID_ARGUMENT, "INVALID_PATH", () -> cluster.kv(leader).get(GetRequest.newBuilder()
                .setPath("/a//b").build()));
        StatusRuntimeException big = expect(Code.INVALID_ARGUMENT, "TOO_LARGE", () -> cluster.kv(follower)
                .create(CreateRequest.newBuilder().setPath("/big-value")
                        .setData(ByteString.copyFrom(new byte[cluster.limits().maxValueBytes() + 1])).build()));
        assertTrue(big.getStatus().getDescription().contains("/big-value"));
        // a request far over the limit is stopped by gRPC before it is even read
        StatusRuntimeException huge = assertThrowsStatus(() -> cluster.kv(follower).create(CreateRequest.newBuilder()
                .setPath("/huge").setData(ByteString.copyFrom(new byte[cluster.limits().maxRequestBytes() + 100_000]))
                .build()));
        assertEquals(Code.RESOURCE_EXHAUSTED, huge.getStatus().getCode());
        StatusRuntimeException session = expect(Code.FAILED_PRECONDITION, "SESSION_EXPIRED", () -> cluster.kv(leader)
                .create(CreateRequest.newBuilder().setPath("/eph").setMode(CreateMode.EPHEMERAL).setSessionId(424242)
                        .build()));
        assertTrue(session.getStatus().getDescription().contains("424242"));
        expect(Code.INVALID_ARGUMENT, "INVALID_DATA", () -> cluster.kv(leader).create(CreateRequest.newBuilder()
                .setPath("/eph").setMode(CreateMode.EPHEMERAL).build()));
        expect(Code.NOT_FOUND, "NO_NODE", () -> cluster.kv(follower).get(GetRequest.newBuilder().setPath("/nope")
                .build()));
        expect(Code.INVALID_ARGUMENT, "INVALID_DATA", () -> cluster.kv(follower).children(ChildrenRequest.newBuilder()
                .setPath("/").setPageToken("garbage!").build()));
        // a path that is not UTF-8 fails to parse before any service code runs
        StatusRuntimeException utf8 = assertThrowsStatus(() -> RawBytes.unary(cluster.node(follower).channel(),
                io.kvorum.proto.v1.KVGrpc.getCreateMethod(),
                RawBytes.lengthDelimited(CreateRequest.PATH_FIELD_NUMBER, RawBytes.BAD_UTF8)));
        assertEquals(Code.INVALID_ARGUMENT, utf8.getStatus().getCode());
        assertEquals("request is not valid: path is not valid UTF-8", utf8.getStatus().getDescription());
        // and the cluster still serves everyone
        create(follower, "/still-fine", "yes");
        assertEquals("yes", cluster.kv(leader).get(GetRequest.newBuilder().setPath("/still-fine").build())
                .getData().toStringUtf8());
    }

    @Test
    void ttlNodesUnmodifiedForTheirTtlAreDeletedByTheLeader() {
        long ttl = 600;
        CreateResponse c = retry(() -> cluster.kv(follower).create(CreateRequest.newBuilder().setPath("/ttl")
                .setMode(CreateMode.PERSISTENT_WITH_TTL).setTtlMillis(ttl).build()));
        assertEquals(ttl, c.getStat().getTtlMillis());
        long created = System.nanoTime();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> !cluster.kv(follower).exists(ExistsRequest.newBuilder().setPath("/ttl").build()).getExists());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created) >= ttl - 100);
    }

    private static StatusRuntimeException assertThrowsStatus(Runnable r) {
        return org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, r::run);
    }

    @Test
    void aWriteRetriedWithTheSameClientIdAndSequenceAfterTheLeaderStopsIsAppliedOnce() {
        create(leader, "/once", "");
        String clientId = UUID.randomUUID().toString();
        RequestHeader h = RequestHeader.newBuilder().setClientId(clientId).setSequence(1)
                .setLowestUnansweredSequence(1).build();
        CreateRequest req = CreateRequest.newBuilder().setHeader(h).setPath("/once/item-")
                .setMode(CreateMode.PERSISTENT_SEQUENTIAL).build();
        CreateResponse first = cluster.kv(leader).create(req);
        cluster.stop(leader);
        long survivor = cluster.runningIds().iterator().next();
        CreateResponse again = retry(() -> cluster.kv(survivor).create(req));
        assertEquals(first.getPath(), again.getPath(), "the retry gets the first answer");
        ChildrenResponse kids = retry(() -> cluster.kv(survivor).children(ChildrenRequest.newBuilder()
                .setPath("/once").build()));
        assertEquals(1, kids.getChildrenCount(), "exactly one node exists");
        // the next sequence is a new write
        CreateResponse next = retry(() -> cluster.kv(survivor).create(req.toBuilder().setHeader(h.toBuilder()
                .setSequence(2).setLowestUnansweredSequence(2)).build()));
        assertTrue(next.getPath().compareTo(first.getPath()) > 0);
    }

    @Test
    void concurrentWritesThroughEveryNodeAllLand() throws Exception {
        create(leader, "/c", "");
        Set<String> created = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                long node = 1 + t % 3;
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        created.add(cluster.kv(node).create(CreateRequest.newBuilder()
                                .setPath("/c/t" + thread + "-" + i).build()).getPath());
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(120, created.size());
        assertEquals(120, cluster.kv(follower).children(ChildrenRequest.newBuilder().setPath("/c").build())
                .getChildrenCount());
    }
}
