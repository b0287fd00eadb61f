package io.kvorum.client;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.kvorum.proto.v1.AuthChangeResponse;
import io.kvorum.proto.v1.AuthDisableRequest;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.AuthStatusRequest;
import io.kvorum.proto.v1.AuthStatusResponse;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.ResponseHeader;
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
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Users, roles and the auth switch (the Auth service). Changes are not retried once they may
 * have reached the server (they are not deduplicated); reads are. Callers need the admin
 * right once auth is enabled (a user may read their own record and change their own
 * password). Get one from {@link KvorumClient#auth()}.
 */
public final class AuthAdmin {
    private final ClientCore core;

    AuthAdmin(ClientCore core) {
        this.core = core;
    }

    /** Whether auth is enabled, who this client is authenticated as ("" for nobody), the auth revision. */
    public record Status(boolean enabled, String user, long authRevision) {
    }

    /** A user: its roles, and whether it has a password (else it logs in by client certificate only). */
    public record User(String name, List<String> roles, boolean hasPassword) {
    }

    /** A role and its rights, each as "TYPE key" with a trailing "*" for a prefix. */
    public record Role(String name, List<String> permissions) {
    }

    /** Whether auth is on and who this client is; answered without credentials. */
    public Status status() {
        AuthStatusResponse r = read("auth status", AuthGrpc.getAuthStatusMethod(), AuthStatusRequest.getDefaultInstance(),
                AuthStatusResponse::getHeader);
        return new Status(r.getEnabled(), r.getUser(), r.getAuthRevision());
    }

    /** Enables auth; refused (FAILED_PRECONDITION) unless user root exists with role root. */
    public void enable() {
        change("auth enable", AuthGrpc.getAuthEnableMethod(), AuthEnableRequest.getDefaultInstance());
    }

    /** Disables auth: every caller may then do everything. Needs the admin right. */
    public void disable() {
        change("auth disable", AuthGrpc.getAuthDisableMethod(), AuthDisableRequest.getDefaultInstance());
    }

    /** Adds a user; a null password makes a user that logs in by client certificate only. */
    public void addUser(String name, String password) {
        UserAddRequest.Builder b = UserAddRequest.newBuilder().setName(name);
        if (password == null) {
            b.setNoPassword(true);
        } else {
            b.setPassword(password);
        }
        change("add user " + name, AuthGrpc.getUserAddMethod(), b.build());
    }

    /** Deletes a user; refused for root while auth is enabled. */
    public void deleteUser(String name) {
        change("delete user " + name, AuthGrpc.getUserDeleteMethod(), UserDeleteRequest.newBuilder().setName(name)
                .build());
    }

    /** Sets a user's password; tokens issued before stop working. A user may change their own. */
    public void changePassword(String name, String password) {
        change("change password of " + name, AuthGrpc.getUserChangePasswordMethod(),
                UserChangePasswordRequest.newBuilder().setName(name).setPassword(password).build());
    }

    /** Gives {@code user} the role {@code role} (which must exist, or be root). */
    public void grantRole(String user, String role) {
        change("grant role " + role + " to " + user, AuthGrpc.getUserGrantRoleMethod(),
                UserGrantRoleRequest.newBuilder().setUser(user).setRole(role).build());
    }

    /** Takes {@code role} from {@code user}; refused for root's role root while auth is enabled. */
    public void revokeRole(String user, String role) {
        change("revoke role " + role + " from " + user, AuthGrpc.getUserRevokeRoleMethod(),
                UserRevokeRoleRequest.newBuilder().setUser(user).setRole(role).build());
    }

    /** The users' names. */
    public List<String> users() {
        return read("list users", AuthGrpc.getUserListMethod(), UserListRequest.getDefaultInstance(),
                UserListResponse::getHeader).getUsersList();
    }

    /** One user's roles and whether it has a password (NOT_FOUND if there is no such user). */
    public User user(String name) {
        UserGetResponse r = read("get user " + name, AuthGrpc.getUserGetMethod(),
                UserGetRequest.newBuilder().setName(name).build(), UserGetResponse::getHeader);
        return new User(r.getName(), r.getRolesList(), r.getHasPassword());
    }

    /** Adds a role without rights. */
    public void addRole(String name) {
        change("add role " + name, AuthGrpc.getRoleAddMethod(), RoleAddRequest.newBuilder().setName(name).build());
    }

    /** Deletes a role and takes it from every user. */
    public void deleteRole(String name) {
        change("delete role " + name, AuthGrpc.getRoleDeleteMethod(), RoleDeleteRequest.newBuilder().setName(name)
                .build());
    }

    /**
     * Grants {@code type} (read, write, readwrite or admin) on {@code key}, or on every path
     * starting with it when {@code prefix}.
     */
    public void grantPermission(String role, String type, String key, boolean prefix) {
        PermissionType t;
        try {
            t = PermissionType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("permission type must be read, write, readwrite or admin, not "
                    + type);
        }
        change("grant " + type + " on " + key + " to role " + role, AuthGrpc.getRoleGrantPermissionMethod(),
                RoleGrantPermissionRequest.newBuilder().setRole(role).setPermission(Permission.newBuilder()
                        .setType(t).setKey(key).setPrefix(prefix)).build());
    }

    /** Takes back the right on {@code key} (the prefix right when {@code prefix}) from {@code role}. */
    public void revokePermission(String role, String key, boolean prefix) {
        change("revoke " + key + " from role " + role, AuthGrpc.getRoleRevokePermissionMethod(),
                RoleRevokePermissionRequest.newBuilder().setRole(role).setKey(key).setPrefix(prefix).build());
    }

    /** The roles' names. */
    public List<String> roles() {
        return read("list roles", AuthGrpc.getRoleListMethod(), RoleListRequest.getDefaultInstance(),
                RoleListResponse::getHeader).getRolesList();
    }

    /** One role's rights (NOT_FOUND if there is no such role). */
    public Role role(String name) {
        RoleGetResponse r = read("get role " + name, AuthGrpc.getRoleGetMethod(),
                RoleGetRequest.newBuilder().setName(name).build(), RoleGetResponse::getHeader);
        return new Role(r.getRole().getName(), r.getRole().getPermissionsList().stream()
                .map(p -> p.getType().name() + (p.getType() == PermissionType.ADMIN ? ""
                        : " " + p.getKey() + (p.getPrefix() ? "*" : "")))
                .toList());
    }

    private <Q extends Message> void change(String what, MethodDescriptor<Q, AuthChangeResponse> method, Q request) {
        Blocking.await(core.unique(what, RequestOptions.DEFAULT, method, request, AuthChangeResponse::getHeader, false,
                null));
    }

    private <Q extends Message, R> R read(String what, MethodDescriptor<Q, R> method, Q request,
                                          Function<R, ResponseHeader> header) {
        return Blocking.await(core.unique(what, RequestOptions.DEFAULT, method, request, header, true, null));
    }
}
