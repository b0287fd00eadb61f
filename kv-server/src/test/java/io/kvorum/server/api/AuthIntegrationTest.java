package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.health.v1.HealthCheckRequest;
import io.kvorum.proto.health.v1.HealthGrpc;
import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.AlarmsRequest;
import io.kvorum.proto.v1.AuthDisableRequest;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.AuthStatusRequest;
import io.kvorum.proto.v1.AuthenticateRequest;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.BatchResult;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.CompactRequest;
import io.kvorum.proto.v1.CompactStorageRequest;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.MaintenanceGrpc;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.PromoteMemberRequest;
import io.kvorum.proto.v1.RemoveMemberRequest;
import io.kvorum.proto.v1.RoleAddRequest;
import io.kvorum.proto.v1.RoleDeleteRequest;
import io.kvorum.proto.v1.RoleGetRequest;
import io.kvorum.proto.v1.RoleGrantPermissionRequest;
import io.kvorum.proto.v1.RoleListRequest;
import io.kvorum.proto.v1.RoleRevokePermissionRequest;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SnapshotRequest;
import io.kvorum.proto.v1.StatusRequest;
import io.kvorum.proto.v1.TransferLeadershipRequest;
import io.kvorum.proto.v1.UserAddRequest;
import io.kvorum.proto.v1.UserChangePasswordRequest;
import io.kvorum.proto.v1.UserDeleteRequest;
import io.kvorum.proto.v1.UserGetRequest;
import io.kvorum.proto.v1.UserGrantRoleRequest;
import io.kvorum.proto.v1.UserListRequest;
import io.kvorum.proto.v1.UserRevokeRoleRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.auth.Audit;
import io.kvorum.server.auth.Tokens;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization end to end on a real node: the permission matrix (every
 * RPC, each kind of Batch item, reads of both consistencies, plain and recursive watches, and the
 * Cluster, Maintenance and Auth management calls included, against every kind of caller
 * gets exactly the status it should, and a denied write changes nothing), enabling auth only
 * with a root, slowed-down password guessing, a watch closed when the right to read what it
 * watches is revoked, sessions usable only by the user who opened them, and an audit line for
 * each authentication failure, permission denial and admin operation.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIntegrationTest {
    private static final Code OK = Code.OK;
    private static final Code UNAUTH = Code.UNAUTHENTICATED;
    private static final Code DENIED = Code.PERMISSION_DENIED;

    @TempDir
    static Path tmp;
    private InJvmCluster cluster;
    private Channel open;
    /**
     * What a request answers once past the access check, measured with auth off, for those
     * whose answer is not OK (a member, user or role that does not exist) or is not known
     * beforehand: each fails in the state machine or changes nothing, so it can be sent again.
     */
    private final Map<String, Code> pastTheCheck = new LinkedHashMap<>();

    @BeforeAll
    void setUp() throws Exception {
        cluster = new InJvmCluster(tmp, 1, "auth").security(id -> ClientSecurity.of(null, false,
                Duration.ofMinutes(5), 1000));
        cluster.startAll();
        cluster.awaitLeader();
        open = cluster.node(1).channel();
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(open);
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> auth.authEnable(AuthEnableRequest.getDefaultInstance()));
        assertEquals(Code.FAILED_PRECONDITION, refused.getStatus().getCode(), "no root yet: " + refused);

        for (String u : List.of("root", "noroles", "reader", "other", "victim", "alice", "bob")) {
            auth.userAdd(UserAddRequest.newBuilder().setName(u).setPassword(u + "-pw").build());
        }
        auth.roleAdd(RoleAddRequest.newBuilder().setName("app-ro").build());
        auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("app-ro").setPermission(
                Permission.newBuilder().setType(PermissionType.READ).setKey("/app/").setPrefix(true)).build());
        auth.roleAdd(RoleAddRequest.newBuilder().setName("other-rw").build());
        auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("other-rw").setPermission(
                Permission.newBuilder().setType(PermissionType.READWRITE).setKey("/other/").setPrefix(true)).build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("reader").setRole("app-ro").build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("other").setRole("other-rw").build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        auth.roleAdd(RoleAddRequest.newBuilder().setName("sessions-rw").build());
        auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("sessions-rw").setPermission(
                Permission.newBuilder().setType(PermissionType.READWRITE).setKey("/sessions/").setPrefix(true))
                .build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("alice").setRole("sessions-rw").build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("bob").setRole("sessions-rw").build());
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(open);
        kv.create(CreateRequest.newBuilder().setPath("/app").build());
        kv.create(CreateRequest.newBuilder().setPath("/app/x").setData(ByteString.copyFromUtf8("1")).build());
        kv.create(CreateRequest.newBuilder().setPath("/app/del").build());
        kv.create(CreateRequest.newBuilder().setPath("/app/bdel").build());
        kv.create(CreateRequest.newBuilder().setPath("/sessions").build());
        for (Rpc rpc : rpcs()) {
            if (rpc.probe()) {
                Code answer = rpc.call().apply(open);
                assertTrue(answer != DENIED && answer != UNAUTH, rpc.name() + " with auth off: " + answer);
                pastTheCheck.put(rpc.name(), answer);
            }
        }
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
    }

    @AfterAll
    void tearDown() {
        cluster.close();
    }

    private String login(String user, String password) {
        return AuthGrpc.newBlockingStub(open).authenticate(AuthenticateRequest.newBuilder().setUser(user)
                .setPassword(password).build()).getToken();
    }

    private Channel as(String token) {
        if (token == null) {
            return open;
        }
        Metadata md = new Metadata();
        md.put(AccessInterceptor.AUTHORIZATION, "Bearer " + token);
        return ClientInterceptors.intercept(open, MetadataUtils.newAttachHeadersInterceptor(md));
    }

    private static Code code(Runnable call) {
        try {
            call.run();
            return OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private static KVGrpc.KVBlockingStub kv(Channel c) {
        return KVGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Code watch(Channel c, String path, boolean recursive) {
        CompletableFuture<Code> outcome = new CompletableFuture<>();
        StreamObserver<WatchRequest> req = WatchGrpc.newStub(c).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                outcome.complete(r.getCreated() ? OK : Code.UNKNOWN);
            }

            @Override
            public void onError(Throwable t) {
                outcome.complete(io.grpc.Status.fromThrowable(t).getCode());
            }

            @Override
            public void onCompleted() {
                outcome.complete(Code.UNKNOWN);
            }
        });
        req.onNext(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1).setPath(path)
                .setRecursive(recursive)).build());
        Code result = outcome.orTimeout(10, TimeUnit.SECONDS).join();
        req.onCompleted();
        return result;
    }

    /**
     * One item in a Batch stream: the status its result carries (OK for a response), or the
     * stream's own when it is closed before answering (an unauthenticated stream).
     */
    private static Code batch(Channel c, BatchItem.Builder item) {
        CompletableFuture<Code> outcome = new CompletableFuture<>();
        StreamObserver<BatchRequest> req = KVGrpc.newStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
                .batch(new StreamObserver<>() {
                    @Override
                    public void onNext(BatchResponse r) {
                        BatchResult result = r.getResults(0);
                        outcome.complete(result.hasError()
                                ? io.grpc.Status.fromCodeValue(result.getError().getCode()).getCode() : OK);
                    }

                    @Override
                    public void onError(Throwable t) {
                        outcome.complete(io.grpc.Status.fromThrowable(t).getCode());
                    }

                    @Override
                    public void onCompleted() {
                        outcome.complete(Code.UNKNOWN);
                    }
                });
        req.onNext(BatchRequest.newBuilder().addItems(item.setId(1)).build());
        Code result = outcome.orTimeout(10, TimeUnit.SECONDS).join();
        req.onCompleted();
        return result;
    }

    private long revision() {
        return kv(as(login("root", "root-pw"))).get(GetRequest.newBuilder().setPath("/").build()).getHeader()
                .getRevision();
    }

    /**
     * One RPC of the matrix: how to call it, and what it needs; {@code probe}: its answer past
     * the check is measured with auth off (see {@link #pastTheCheck}), else it is OK.
     */
    private record Rpc(String name, String needs, Function<Channel, Code> call, boolean probe) {
        Rpc(String name, String needs, Function<Channel, Code> call) {
            this(name, needs, call, false);
        }
    }

    private static AuthGrpc.AuthBlockingStub auth(Channel c) {
        return AuthGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static ClusterGrpc.ClusterBlockingStub cluster(Channel c) {
        return ClusterGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private List<Rpc> rpcs() {
        List<Rpc> r = new ArrayList<>();
        r.add(new Rpc("Create", "write", c -> code(() -> kv(c).create(CreateRequest.newBuilder().setPath("/app/c")
                .build()))));
        r.add(new Rpc("Get", "read", c -> code(() -> kv(c).get(GetRequest.newBuilder().setPath("/app/x").build()))));
        r.add(new Rpc("Set", "write", c -> code(() -> kv(c).set(SetRequest.newBuilder().setPath("/app/x")
                .setData(ByteString.copyFromUtf8("2")).setExpectedVersion(-1).build()))));
        r.add(new Rpc("Exists", "read", c -> code(() -> kv(c).exists(ExistsRequest.newBuilder().setPath("/app/x")
                .build()))));
        r.add(new Rpc("Children", "read", c -> code(() -> kv(c).children(ChildrenRequest.newBuilder()
                .setPath("/app").build()))));
        r.add(new Rpc("Multi(check,set)", "write", c -> code(() -> kv(c).multi(MultiRequest.newBuilder()
                .addOps(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/app/x").setExpectedVersion(-1)))
                .addOps(Op.newBuilder().setSet(SetRequest.newBuilder().setPath("/app/x").setExpectedVersion(-1)))
                .build()))));
        r.add(new Rpc("Multi(check)", "read", c -> code(() -> kv(c).multi(MultiRequest.newBuilder()
                .addOps(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/app/x").setExpectedVersion(-1)))
                .build()))));
        r.add(new Rpc("Watch(/app, recursive)", "read", c -> watch(c, "/app", true)));
        // Set for whoever may read something under the root; what it delivers is filtered.
        r.add(new Rpc("Watch(/, recursive)", "read-somewhere", c -> watch(c, "/", true)));
        r.add(new Rpc("Session.Open", "any", c -> code(() -> SessionGrpc.newBlockingStub(c)
                .open(OpenSessionRequest.newBuilder().setTtlMillis(5000).build()))));
        r.add(new Rpc("Cluster.ListMembers", "any", c -> code(() -> ClusterGrpc.newBlockingStub(c)
                .listMembers(ListMembersRequest.getDefaultInstance()))));
        r.add(new Rpc("Cluster.Status", "any", c -> code(() -> ClusterGrpc.newBlockingStub(c)
                .status(StatusRequest.getDefaultInstance()))));
        r.add(new Rpc("Cluster.AddMember(id 0)", "admin", c -> code(() -> cluster(c)
                .addMember(AddMemberRequest.newBuilder().setId(0).setPeerAddress("127.0.0.1:1").build())), true));
        r.add(new Rpc("Auth.UserList", "admin", c -> code(() -> AuthGrpc.newBlockingStub(c)
                .userList(UserListRequest.getDefaultInstance()))));
        r.add(new Rpc("Delete", "write", c -> code(() -> kv(c).delete(DeleteRequest.newBuilder().setPath("/app/del")
                .setExpectedVersion(-1).build()))));
        r.add(new Rpc("Batch[Create]", "write", c -> batch(c, BatchItem.newBuilder().setCreate(
                CreateRequest.newBuilder().setPath("/app/bc")))));
        r.add(new Rpc("Batch[Set]", "write", c -> batch(c, BatchItem.newBuilder().setSet(
                SetRequest.newBuilder().setPath("/app/x").setData(ByteString.copyFromUtf8("3")).setExpectedVersion(-1)))));
        r.add(new Rpc("Batch[Multi(check,set)]", "write", c -> batch(c, BatchItem.newBuilder().setMulti(
                MultiRequest.newBuilder()
                        .addOps(Op.newBuilder().setCheck(CheckOp.newBuilder().setPath("/app/x").setExpectedVersion(-1)))
                        .addOps(Op.newBuilder().setSet(SetRequest.newBuilder().setPath("/app/x")
                                .setExpectedVersion(-1)))))));
        r.add(new Rpc("Batch[Get]", "read", c -> batch(c, BatchItem.newBuilder().setGet(
                GetRequest.newBuilder().setPath("/app/x")))));
        r.add(new Rpc("Batch[Exists]", "read", c -> batch(c, BatchItem.newBuilder().setExists(
                ExistsRequest.newBuilder().setPath("/app/x")))));
        r.add(new Rpc("Batch[Delete]", "write", c -> batch(c, BatchItem.newBuilder().setDelete(
                DeleteRequest.newBuilder().setPath("/app/bdel").setExpectedVersion(-1)))));
        r.add(new Rpc("Maintenance.Alarms", "admin", c -> code(() -> MaintenanceGrpc.newBlockingStub(c)
                .withDeadlineAfter(10, TimeUnit.SECONDS).alarms(AlarmsRequest.getDefaultInstance()))));
        r.add(new Rpc("Maintenance.Snapshot", "admin", c -> code(() -> MaintenanceGrpc.newBlockingStub(c)
                .withDeadlineAfter(30, TimeUnit.SECONDS).snapshot(SnapshotRequest.getDefaultInstance())
                .forEachRemaining(chunk -> { }))));
        r.add(new Rpc("Cluster.TransferLeadership(id 99)", "admin", c -> code(() -> cluster(c)
                .transferLeadership(TransferLeadershipRequest.newBuilder().setToId(99).build())), true));
        r.add(new Rpc("Cluster.PromoteMember(id 99)", "admin", c -> code(() -> cluster(c)
                .promoteMember(PromoteMemberRequest.newBuilder().setId(99).build())), true));
        r.add(new Rpc("Cluster.RemoveMember(id 99)", "admin", c -> code(() -> cluster(c)
                .removeMember(RemoveMemberRequest.newBuilder().setId(99).build())), true));
        r.add(new Rpc("Maintenance.Compact(a future revision)", "admin", c -> code(() -> MaintenanceGrpc
                .newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
                .compact(CompactRequest.newBuilder().setRevision(1L << 40).build())), true));
        r.add(new Rpc("Maintenance.CompactStorage", "admin", c -> code(() -> MaintenanceGrpc.newBlockingStub(c)
                .withDeadlineAfter(30, TimeUnit.SECONDS).compactStorage(CompactStorageRequest.getDefaultInstance()))));
        r.add(new Rpc("Get, serializable", "read", c -> code(() -> kv(c).get(GetRequest.newBuilder()
                .setPath("/app/x").setConsistency(Consistency.SERIALIZABLE).build()))));
        r.add(new Rpc("Exists, serializable", "read", c -> code(() -> kv(c).exists(ExistsRequest.newBuilder()
                .setPath("/app/x").setConsistency(Consistency.SERIALIZABLE).build()))));
        r.add(new Rpc("Children, serializable", "read", c -> code(() -> kv(c).children(ChildrenRequest.newBuilder()
                .setPath("/app").setConsistency(Consistency.SERIALIZABLE).build()))));
        r.add(new Rpc("Batch[Get, serializable]", "read", c -> batch(c, BatchItem.newBuilder().setGet(
                GetRequest.newBuilder().setPath("/app/x").setConsistency(Consistency.SERIALIZABLE)))));
        r.add(new Rpc("Watch(/app/x)", "read", c -> watch(c, "/app/x", false)));
        r.add(new Rpc("Watch(/, not recursive)", "read-all", c -> watch(c, "/", false)));
        r.add(new Rpc("Session.KeepAlive(a session nobody opened)", "any", c -> keepAliveAnswered(c, 424_242)));
        r.add(new Rpc("Session.Close(a session nobody opened)", "any", c -> code(() -> SessionGrpc.newBlockingStub(c)
                .withDeadlineAfter(10, TimeUnit.SECONDS).close(CloseSessionRequest.newBuilder()
                        .setSessionId(424_242).build())), true));
        r.add(new Rpc("Auth.AuthStatus", "none", c -> code(() -> auth(c).authStatus(AuthStatusRequest
                .getDefaultInstance()))));
        r.add(new Rpc("Auth.AuthEnable(enabled already)", "admin", c -> code(() -> auth(c).authEnable(
                AuthEnableRequest.getDefaultInstance()))));
        r.add(new Rpc("Auth.AuthDisable", "admin", c -> code(() -> auth(c).authDisable(
                AuthDisableRequest.getDefaultInstance()))));
        r.add(new Rpc("Auth.UserAdd(root, again)", "admin", c -> code(() -> auth(c).userAdd(UserAddRequest
                .newBuilder().setName("root").setPassword("another").build())), true));
        r.add(new Rpc("Auth.UserDelete(ghost)", "admin", c -> code(() -> auth(c).userDelete(UserDeleteRequest
                .newBuilder().setName("ghost").build())), true));
        r.add(new Rpc("Auth.UserChangePassword(ghost)", "admin", c -> code(() -> auth(c).userChangePassword(
                UserChangePasswordRequest.newBuilder().setName("ghost").setPassword("pw").build())), true));
        r.add(new Rpc("Auth.UserGrantRole(ghost)", "admin", c -> code(() -> auth(c).userGrantRole(
                UserGrantRoleRequest.newBuilder().setUser("ghost").setRole("app-ro").build())), true));
        r.add(new Rpc("Auth.UserRevokeRole(ghost)", "admin", c -> code(() -> auth(c).userRevokeRole(
                UserRevokeRoleRequest.newBuilder().setUser("ghost").setRole("app-ro").build())), true));
        r.add(new Rpc("Auth.UserGet(root)", "admin", c -> code(() -> auth(c).userGet(UserGetRequest.newBuilder()
                .setName("root").build()))));
        r.add(new Rpc("Auth.RoleAdd(app-ro, again)", "admin", c -> code(() -> auth(c).roleAdd(RoleAddRequest
                .newBuilder().setName("app-ro").build())), true));
        r.add(new Rpc("Auth.RoleDelete(ghost)", "admin", c -> code(() -> auth(c).roleDelete(RoleDeleteRequest
                .newBuilder().setName("ghost").build())), true));
        r.add(new Rpc("Auth.RoleGrantPermission(ghost)", "admin", c -> code(() -> auth(c).roleGrantPermission(
                RoleGrantPermissionRequest.newBuilder().setRole("ghost").setPermission(Permission.newBuilder()
                        .setType(PermissionType.READ).setKey("/app/").setPrefix(true)).build())), true));
        r.add(new Rpc("Auth.RoleRevokePermission(ghost)", "admin", c -> code(() -> auth(c).roleRevokePermission(
                RoleRevokePermissionRequest.newBuilder().setRole("ghost").setKey("/app/").setPrefix(true).build())),
                true));
        r.add(new Rpc("Auth.RoleGet(app-ro)", "admin", c -> code(() -> auth(c).roleGet(RoleGetRequest.newBuilder()
                .setName("app-ro").build()))));
        r.add(new Rpc("Auth.RoleList", "admin", c -> code(() -> auth(c).roleList(RoleListRequest
                .getDefaultInstance()))));
        r.add(new Rpc("Health.Check", "none", c -> code(() -> HealthGrpc.newBlockingStub(c)
                .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()))));
        return r;
    }

    /** What a caller of each kind gets for an RPC needing {@code needs}. */
    private static Code expected(String caller, String needs) {
        if (needs.equals("none")) {
            return OK;
        }
        return switch (caller) {
            case "no credentials", "wrong password", "expired token" -> UNAUTH;
            case "no roles" -> needs.equals("any") ? OK : DENIED;
            case "readwrite on another prefix" -> needs.equals("any") || needs.equals("read-somewhere") ? OK : DENIED;
            case "read-only role" -> needs.equals("any") || needs.equals("read") || needs.equals("read-somewhere")
                    ? OK : DENIED;
            case "admin" -> OK;
            default -> throw new IllegalArgumentException(caller);
        };
    }

    @Test
    void permissionMatrix() {
        byte[] secret = cluster.node(1).state().auth().current().getTokenSecret().toByteArray();
        // A user of its own: the failure slows down that user's next login, and no other's.
        StatusRuntimeException wrong = assertThrows(StatusRuntimeException.class, () -> login("victim", "nope"));
        assertEquals(UNAUTH, wrong.getStatus().getCode());
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("no credentials", null);
        callers.put("wrong password", "not-a-token");
        callers.put("expired token", Tokens.issue(secret, new Tokens.Claims("root", 1, System.currentTimeMillis()
                - 1000)));
        callers.put("no roles", login("noroles", "noroles-pw"));
        callers.put("read-only role", login("reader", "reader-pw"));
        callers.put("readwrite on another prefix", login("other", "other-pw"));
        callers.put("admin", login("root", "root-pw"));
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String> caller : callers.entrySet()) {
            for (Rpc rpc : rpcs()) {
                if (caller.getKey().equals("admin") && rpc.name().equals("Auth.AuthDisable")) {
                    continue; // it would end the matrix; root turning auth off: AuthCommandsTest
                }
                long before = revision();
                Code got = rpc.call().apply(as(caller.getValue()));
                Code want = expected(caller.getKey(), rpc.needs());
                if (want == null || want == OK) {
                    // past the check, to the request's own answer
                    want = pastTheCheck.getOrDefault(rpc.name(), OK);
                }
                if (got != want) {
                    mismatches.add(caller.getKey() + " x " + rpc.name() + ": got " + got + ", want " + want);
                }
                if (got != OK && !rpc.needs().startsWith("read")) {
                    assertEquals(before, revision(), "a denied " + rpc.name() + " by " + caller.getKey()
                            + " changed the state");
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    @Test
    void failedLoginsAreSlowedDownPerUser() {
        // A name of its own: the slow-down is per user and must not reach the other tests' users.
        // The wait doubles per failure (up to 10 s), so within a few quick failures one lands
        // inside the wait, however slow the machine.
        StatusRuntimeException last = null;
        for (int i = 0; i < 12; i++) {
            last = assertThrows(StatusRuntimeException.class, () -> login("guesser", "bad"));
            if (last.getStatus().getCode() != UNAUTH) {
                break;
            }
        }
        assertEquals(Code.RESOURCE_EXHAUSTED, last.getStatus().getCode(), last.toString());
        assertTrue(last.getMessage().contains("too many failed logins for user guesser"), last.getMessage());
    }

    @Test
    void aWatchIsClosedWhenTheRightToReadItIsRevoked() throws Exception {
        AuthGrpc.AuthBlockingStub admin = AuthGrpc.newBlockingStub(as(login("root", "root-pw")));
        admin.roleAdd(RoleAddRequest.newBuilder().setName("temp").build());
        admin.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("temp").setPermission(
                Permission.newBuilder().setType(PermissionType.READ).setKey("/other/").setPrefix(true)).build());
        admin.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("noroles").setRole("temp").build());
        Received got = new Received();
        StreamObserver<WatchRequest> req = WatchGrpc.newStub(as(login("noroles", "noroles-pw"))).watch(got);
        req.onNext(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1).setPath("/other")
                .setRecursive(true)).build());
        assertTrue(got.next().getCreated());
        admin.roleRevokePermission(RoleRevokePermissionRequest.newBuilder().setRole("temp").setKey("/other/")
                .setPrefix(true).build());
        Throwable t = got.ended.orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(DENIED, io.grpc.Status.fromThrowable(t).getCode(), String.valueOf(t));
        assertTrue(t.getMessage().contains("revoked"), t.getMessage());
    }

    /** A gRPC watch stream's responses and end, as they arrive. */
    private static final class Received implements StreamObserver<WatchResponse> {
        final java.util.concurrent.BlockingQueue<WatchResponse> responses =
                new java.util.concurrent.LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();

        @Override
        public void onNext(WatchResponse r) {
            responses.add(r);
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(t);
        }

        @Override
        public void onCompleted() {
            ended.complete(null);
        }

        /** The next response, failing after 10 s. */
        WatchResponse next() throws InterruptedException {
            WatchResponse r = responses.poll(10, TimeUnit.SECONDS);
            assertTrue(r != null, "no watch response within 10 s; ended: " + ended.getNow(null));
            return r;
        }

        /**
         * The events of the responses up to the first one holding an event at {@code path}; a
         * response with no event must say something else (created, canceled, progress).
         */
        List<io.kvorum.proto.v1.Event> eventsUntil(String path) throws InterruptedException {
            List<io.kvorum.proto.v1.Event> events = new ArrayList<>();
            while (true) {
                WatchResponse r = next();
                assertTrue(r.getEventsCount() > 0 || r.getCreated() || r.getCanceled() || r.getProgress(),
                        "an empty response was sent: " + r);
                events.addAll(r.getEventsList());
                if (r.getEventsList().stream().anyMatch(e -> e.getPath().equals(path))) {
                    return events;
                }
            }
        }
    }

    @Test
    void aRecursiveWatchDeliversOnlyWhatTheUserMayReadAndEndsWhenNothingIsLeft() throws Exception {
        Channel root = as(login("root", "root-pw"));
        AuthGrpc.AuthBlockingStub admin = AuthGrpc.newBlockingStub(root);
        KVGrpc.KVBlockingStub kv = kv(root);
        for (String p : List.of("/app/a", "/app/b")) {
            kv.create(CreateRequest.newBuilder().setPath(p).build());
        }
        admin.userAdd(UserAddRequest.newBuilder().setName("partial").setPassword("partial-pw").build());
        admin.roleAdd(RoleAddRequest.newBuilder().setName("app-a-ro").build());
        for (String prefix : List.of("/app/a/", "/app/c/")) {
            admin.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("app-a-ro").setPermission(
                    Permission.newBuilder().setType(PermissionType.READ).setKey(prefix).setPrefix(true)).build());
        }
        admin.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("partial").setRole("app-a-ro").build());

        // Nothing readable at or under /app: refused, saying so.
        Received refused = new Received();
        StreamObserver<WatchRequest> refusedReq = WatchGrpc.newStub(as(login("other", "other-pw"))).watch(refused);
        refusedReq.onNext(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1).setPath("/app")
                .setRecursive(true)).build());
        Throwable t = refused.ended.orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(DENIED, io.grpc.Status.fromThrowable(t).getCode(), String.valueOf(t));
        assertTrue(t.getMessage().contains("may read nothing at or under /app"), t.getMessage());

        Received got = new Received();
        StreamObserver<WatchRequest> req = WatchGrpc.newStub(as(login("partial", "partial-pw"))).watch(got);
        req.onNext(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1).setPath("/app")
                .setRecursive(true)).build());
        assertTrue(got.next().getCreated());
        long x = kv.create(CreateRequest.newBuilder().setPath("/app/a/x").build()).getHeader().getRevision();
        kv.create(CreateRequest.newBuilder().setPath("/app/b/y").build());
        long z = kv.create(CreateRequest.newBuilder().setPath("/app/a/z").build()).getHeader().getRevision();
        // /app/a/z was written after /app/b/y: once it is here, /app/b/y's events would have been.
        List<io.kvorum.proto.v1.Event> events = got.eventsUntil("/app/a/z");
        assertEquals(List.of(x, z), events.stream().map(io.kvorum.proto.v1.Event::getRevision).distinct().toList(),
                events.toString());
        assertTrue(events.stream().allMatch(e -> e.getPath().equals("/app/a") || e.getPath().startsWith("/app/a/")),
                events.toString());
        assertTrue(events.stream().anyMatch(e -> e.getPath().equals("/app/a/x")), events.toString());

        // Losing part of what is readable under /app filters more; the watch stays.
        admin.roleRevokePermission(RoleRevokePermissionRequest.newBuilder().setRole("app-a-ro").setKey("/app/c/")
                .setPrefix(true).build());
        long w = kv.create(CreateRequest.newBuilder().setPath("/app/a/w").build()).getHeader().getRevision();
        assertEquals(List.of(w), got.eventsUntil("/app/a/w").stream().map(io.kvorum.proto.v1.Event::getRevision)
                .distinct().toList());
        assertTrue(!got.ended.isDone(), "the watch ended: " + got.ended.getNow(null));

        // Losing the last of it ends the watch.
        admin.roleRevokePermission(RoleRevokePermissionRequest.newBuilder().setRole("app-a-ro").setKey("/app/a/")
                .setPrefix(true).build());
        Throwable end = got.ended.orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(DENIED, io.grpc.Status.fromThrowable(end).getCode(), String.valueOf(end));
        assertTrue(end.getMessage().contains("revoked"), end.getMessage());
    }

    private static Code keepAlive(Channel c, long sessionId) {
        CompletableFuture<Code> outcome = new CompletableFuture<>();
        StreamObserver<KeepAliveRequest> req = SessionGrpc.newStub(c).keepAlive(new StreamObserver<>() {
            @Override
            public void onNext(KeepAliveResponse r) {
                outcome.complete(r.getExpired() ? Code.NOT_FOUND : OK);
            }

            @Override
            public void onError(Throwable t) {
                outcome.complete(io.grpc.Status.fromThrowable(t).getCode());
            }

            @Override
            public void onCompleted() {
                outcome.complete(Code.UNKNOWN);
            }
        });
        req.onNext(KeepAliveRequest.newBuilder().setSessionId(sessionId).build());
        Code result = outcome.orTimeout(10, TimeUnit.SECONDS).join();
        req.onCompleted();
        return result;
    }

    /** OK once a keep-alive is answered at all (a session nobody opened is answered expired). */
    private static Code keepAliveAnswered(Channel c, long sessionId) {
        Code got = keepAlive(c, sessionId);
        return got == Code.NOT_FOUND ? OK : got;
    }

    private static CreateRequest ephemeral(String path, long sessionId) {
        return CreateRequest.newBuilder().setPath(path).setMode(CreateMode.EPHEMERAL).setSessionId(sessionId).build();
    }

    @Test
    void aSessionServesOnlyTheUserWhoOpenedIt() {
        Channel alice = as(login("alice", "alice-pw"));
        Channel bob = as(login("bob", "bob-pw"));
        long id = SessionGrpc.newBlockingStub(alice).open(OpenSessionRequest.newBuilder().setTtlMillis(10_000)
                .build()).getSessionId();

        long before = revision();
        assertEquals(DENIED, code(() -> kv(bob).create(ephemeral("/sessions/bob", id))));
        assertEquals(DENIED, code(() -> kv(bob).multi(MultiRequest.newBuilder()
                .addOps(Op.newBuilder().setCreate(ephemeral("/sessions/bob-multi", id))).build())));
        assertEquals(DENIED, batch(bob, BatchItem.newBuilder().setCreate(ephemeral("/sessions/bob-batch", id))));
        assertEquals(DENIED, keepAlive(bob, id));
        assertEquals(DENIED, code(() -> SessionGrpc.newBlockingStub(bob).close(CloseSessionRequest.newBuilder()
                .setSessionId(id).build())));
        assertEquals(before, revision(), "a refused use of another user's session changed the state");
        assertTrue(cluster.node(1).state().sessions().containsKey(id), "bob's close must not end alice's session");

        assertEquals(OK, code(() -> kv(alice).create(ephemeral("/sessions/alice", id))));
        assertEquals(OK, keepAlive(alice, id));
        assertEquals(OK, code(() -> SessionGrpc.newBlockingStub(alice).close(CloseSessionRequest.newBuilder()
                .setSessionId(id).build())));
        assertEquals(false, kv(alice).exists(ExistsRequest.newBuilder().setPath("/sessions/alice").build())
                .getExists(), "closing the session deletes its ephemeral");
    }

    @Test
    void theAuditLogHasALinePerAuthFailureDenialAndAdminOperation() {
        Logger audit = (Logger) LoggerFactory.getLogger(Audit.LOGGER);
        Level level = audit.getLevel();
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.list = new java.util.concurrent.CopyOnWriteArrayList<>(); // appended to by the server's threads
        lines.start();
        audit.addAppender(lines);
        audit.setLevel(Level.INFO);
        try {
            AuthGrpc.AuthBlockingStub admin = AuthGrpc.newBlockingStub(as(login("root", "root-pw")));
            admin.userAdd(UserAddRequest.newBuilder().setName("audited").setPassword("audited-secret-pw").build());
            assertEquals(DENIED, code(() -> kv(as(login("reader", "reader-pw"))).create(CreateRequest.newBuilder()
                    .setPath("/app/audited").build())));
            assertThrows(StatusRuntimeException.class, () -> login("audited", "not-it"));
            // An admin operation is logged once its call ends, which may be just after the answer.
            String userAdd = "event=admin_op user=\"root\" op=\"kvorum.v1.Auth/UserAdd\"";
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().startsWith(userAdd)));
            List<String> text = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            String added = text.stream().filter(l -> l.startsWith(userAdd)).findFirst().orElseThrow();
            assertTrue(added.contains("audited") && added.contains("result=\"OK\"") && added.contains("remote=\"/127.0.0.1:"), added);
            assertTrue(text.stream().noneMatch(l -> l.contains("audited-secret-pw")), "a password in the audit log: "
                    + text);
            assertTrue(text.stream().anyMatch(l -> l.startsWith("event=permission_denied user=\"reader\" "
                    + "op=\"kvorum.v1.KV/Create\" path=\"/app/audited\" result=PERMISSION_DENIED")), text.toString());
            assertTrue(text.stream().anyMatch(l -> l.startsWith("event=auth_failure user=\"audited\" "
                    + "op=\"kvorum.v1.Auth/Authenticate\" result=UNAUTHENTICATED") && l.contains("remote=\"/127.0.0.1:")),
                    text.toString());
        } finally {
            audit.detachAppender(lines);
            audit.setLevel(level);
        }
    }
}
