package io.kvorum.server.api;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.internal.v1.AddUser;
import io.kvorum.proto.internal.v1.AuthChange;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.internal.v1.EnableAuth;
import io.kvorum.proto.internal.v1.SetPassword;
import io.kvorum.proto.internal.v1.StoredUser;
import io.kvorum.proto.v1.AuthChangeResponse;
import io.kvorum.proto.v1.AuthDisableRequest;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.AuthStatusRequest;
import io.kvorum.proto.v1.AuthStatusResponse;
import io.kvorum.proto.v1.AuthenticateRequest;
import io.kvorum.proto.v1.AuthenticateResponse;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Role;
import io.kvorum.proto.v1.RoleAddRequest;
import io.kvorum.proto.v1.RoleDeleteRequest;
import io.kvorum.proto.v1.RoleGetRequest;
import io.kvorum.proto.v1.RoleGetResponse;
import io.kvorum.proto.v1.RoleGrantPermissionRequest;
import io.kvorum.proto.v1.RoleListRequest;
import io.kvorum.proto.v1.RoleListResponse;
import io.kvorum.proto.v1.RoleRevokePermissionRequest;
import io.kvorum.proto.v1.UserAddRequest;
import io.kvorum.proto.v1.UserChangePasswordRequest;
import io.kvorum.proto.v1.UserDeleteRequest;
import io.kvorum.proto.v1.UserGetRequest;
import io.kvorum.proto.v1.UserGetResponse;
import io.kvorum.proto.v1.UserGrantRoleRequest;
import io.kvorum.proto.v1.UserListRequest;
import io.kvorum.proto.v1.UserListResponse;
import io.kvorum.proto.v1.UserRevokeRoleRequest;
import io.kvorum.server.auth.AccessControl;
import io.kvorum.server.auth.Audit;
import io.kvorum.server.auth.AuthView;
import io.kvorum.server.auth.Passwords;
import io.kvorum.server.auth.Tokens;
import io.kvorum.server.state.AuthStore;
import io.kvorum.server.state.CoordinationState;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The Auth service: logging in, and managing users, roles and the auth switch. Every change
 * is proposed as an {@link AuthChange} log entry (passwords hashed here first, so they never
 * reach the log) and answered once this node applied it. Who may call what is decided before
 * this service runs, by {@link AccessInterceptor}. Authenticate first waits for a ReadIndex
 * barrier, so a user added a moment ago on another node can log in here.
 */
final class AuthService extends AuthGrpc.AuthImplBase {
    private static final int TOKEN_SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CoordinationState state;
    private final AccessControl access;
    private final Proposer proposer;
    private final ReadGate reads;
    private final Headers headers;
    private final Replies replies;
    private final Duration defaultDeadline;

    AuthService(CoordinationState state, AccessControl access, Proposer proposer, ReadGate reads, Headers headers,
                Replies replies, Duration defaultDeadline) {
        this.state = state;
        this.access = access;
        this.proposer = proposer;
        this.reads = reads;
        this.headers = headers;
        this.replies = replies;
        this.defaultDeadline = defaultDeadline;
    }

    @Override
    public void authenticate(AuthenticateRequest r, StreamObserver<AuthenticateResponse> out) {
        // Read here, in the call's context: the answer may be built on another thread.
        SocketAddress remote = AccessInterceptor.REMOTE.get();
        replies.reply(out, () -> reads.read(Consistency.LINEARIZABLE, 0, timeout(), () -> {
            AuthView v = access.view();
            if (!v.enabled()) {
                throw Errors.of(ErrorReason.AUTH_REFUSED, "auth is not enabled: calls need no token");
            }
            Tokens.Claims c;
            try {
                c = access.authenticate(v, r.getUser(), r.getPassword());
            } catch (AccessControl.AuthFailure f) {
                Audit.authFailure(r.getUser(), "kvorum.v1.Auth/Authenticate", f.getMessage(), remote);
                throw Errors.of(f.tooManyAttempts() ? ErrorReason.TOO_MANY_ATTEMPTS : ErrorReason.UNAUTHENTICATED,
                        f.getMessage());
            }
            return AuthenticateResponse.newBuilder().setHeader(headers.of(state.revision()))
                    .setToken(access.issue(v, c)).setExpiresAtMillis(c.expiresAtMillis()).build();
        }));
    }

    @Override
    public void authStatus(AuthStatusRequest r, StreamObserver<AuthStatusResponse> out) {
        replies.reply(out, () -> {
            AuthView v = access.view();
            String user = AccessInterceptor.USER.get();
            return CompletableFuture.completedFuture(AuthStatusResponse.newBuilder()
                    .setHeader(headers.of(state.revision())).setEnabled(v.enabled())
                    .setUser(user == null ? "" : user).setAuthRevision(v.data().getAuthRevision()).build());
        });
    }

    @Override
    public void authEnable(AuthEnableRequest r, StreamObserver<AuthChangeResponse> out) {
        byte[] secret = new byte[TOKEN_SECRET_BYTES];
        RANDOM.nextBytes(secret);
        change(out, AuthChange.newBuilder().setEnable(EnableAuth.newBuilder()
                .setTokenSecret(ByteString.copyFrom(secret))));
    }

    @Override
    public void authDisable(AuthDisableRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setDisable(r));
    }

    @Override
    public void userAdd(UserAddRequest r, StreamObserver<AuthChangeResponse> out) {
        replies.reply(out, () -> {
            AddUser.Builder a = AddUser.newBuilder().setName(r.getName());
            if (!r.getNoPassword()) {
                a.setPassword(Passwords.hash(checkedPassword(r.getPassword()), access.passwordIterations()));
            }
            return propose(AuthChange.newBuilder().setAddUser(a));
        });
    }

    @Override
    public void userDelete(UserDeleteRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setDeleteUser(r));
    }

    @Override
    public void userChangePassword(UserChangePasswordRequest r, StreamObserver<AuthChangeResponse> out) {
        replies.reply(out, () -> propose(AuthChange.newBuilder().setSetPassword(SetPassword.newBuilder()
                .setName(r.getName())
                .setPassword(Passwords.hash(checkedPassword(r.getPassword()), access.passwordIterations())))));
    }

    @Override
    public void userGrantRole(UserGrantRoleRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setGrantRole(r));
    }

    @Override
    public void userRevokeRole(UserRevokeRoleRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setRevokeRole(r));
    }

    @Override
    public void userGet(UserGetRequest r, StreamObserver<UserGetResponse> out) {
        replies.reply(out, () -> {
            StoredUser u = access.view().user(r.getName());
            if (u == null) {
                throw Errors.of(ErrorReason.AUTH_NOT_FOUND, "user " + r.getName() + " does not exist");
            }
            return CompletableFuture.completedFuture(UserGetResponse.newBuilder().setHeader(headers.of(state.revision()))
                    .setName(u.getName()).addAllRoles(u.getRolesList()).setHasPassword(u.hasPassword()).build());
        });
    }

    @Override
    public void userList(UserListRequest r, StreamObserver<UserListResponse> out) {
        replies.reply(out, () -> {
            UserListResponse.Builder b = UserListResponse.newBuilder().setHeader(headers.of(state.revision()));
            access.view().data().getUsersList().stream().map(StoredUser::getName).sorted().forEach(b::addUsers);
            return CompletableFuture.completedFuture(b.build());
        });
    }

    @Override
    public void roleAdd(RoleAddRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setAddRole(r));
    }

    @Override
    public void roleDelete(RoleDeleteRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setDeleteRole(r));
    }

    @Override
    public void roleGrantPermission(RoleGrantPermissionRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setGrantPermission(r));
    }

    @Override
    public void roleRevokePermission(RoleRevokePermissionRequest r, StreamObserver<AuthChangeResponse> out) {
        change(out, AuthChange.newBuilder().setRevokePermission(r));
    }

    @Override
    public void roleGet(RoleGetRequest r, StreamObserver<RoleGetResponse> out) {
        replies.reply(out, () -> {
            Role role = r.getName().equals(AuthStore.ROOT) ? Role.newBuilder().setName(AuthStore.ROOT).build()
                    : access.view().data().getRolesList().stream().filter(x -> x.getName().equals(r.getName()))
                    .findFirst().orElseThrow(() -> Errors.of(ErrorReason.AUTH_NOT_FOUND, "role " + r.getName()
                            + " does not exist"));
            return CompletableFuture.completedFuture(RoleGetResponse.newBuilder()
                    .setHeader(headers.of(state.revision())).setRole(role).build());
        });
    }

    @Override
    public void roleList(RoleListRequest r, StreamObserver<RoleListResponse> out) {
        replies.reply(out, () -> {
            RoleListResponse.Builder b = RoleListResponse.newBuilder().setHeader(headers.of(state.revision()))
                    .addRoles(AuthStore.ROOT);
            access.view().data().getRolesList().stream().map(Role::getName).sorted().forEach(b::addRoles);
            return CompletableFuture.completedFuture(b.build());
        });
    }

    private static String checkedPassword(String password) {
        if (password.isEmpty()) {
            throw Errors.of(ErrorReason.INVALID_DATA, "password must not be empty (use no_password for a user that "
                    + "authenticates by client certificate only)");
        }
        return password;
    }

    private void change(StreamObserver<AuthChangeResponse> out, AuthChange.Builder change) {
        replies.reply(out, () -> propose(change));
    }

    private CompletableFuture<AuthChangeResponse> propose(AuthChange.Builder change) {
        return proposer.propose(Command.newBuilder().setAuthChange(change), timeout())
                .thenApply(r -> {
                    Proposer.expect(r, CommandResult.ResultCase.DONE);
                    return AuthChangeResponse.newBuilder().setHeader(headers.of(r.getDone().getRevision()))
                            .setAuthRevision(access.view().data().getAuthRevision()).build();
                });
    }

    private long timeout() {
        return Deadlines.remainingMillis(defaultDeadline);
    }
}
