package io.kvorum.server.api;

import io.kvorum.proto.health.v1.HealthCheckRequest;
import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.AlarmsRequest;
import io.kvorum.proto.v1.CompactRequest;
import io.kvorum.proto.v1.CompactStorageRequest;
import io.kvorum.proto.v1.SnapshotRequest;
import io.kvorum.proto.v1.AuthDisableRequest;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.RoleAddRequest;
import io.kvorum.proto.v1.RoleDeleteRequest;
import io.kvorum.proto.v1.RoleGrantPermissionRequest;
import io.kvorum.proto.v1.RoleRevokePermissionRequest;
import io.kvorum.proto.v1.UserAddRequest;
import io.kvorum.proto.v1.UserDeleteRequest;
import io.kvorum.proto.v1.UserGrantRoleRequest;
import io.kvorum.proto.v1.UserRevokeRoleRequest;
import io.kvorum.proto.v1.AuthStatusRequest;
import io.kvorum.proto.v1.AuthenticateRequest;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.PromoteMemberRequest;
import io.kvorum.proto.v1.RemoveMemberRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.StatusRequest;
import io.kvorum.proto.v1.TransferLeadershipRequest;
import io.kvorum.proto.v1.UserChangePasswordRequest;
import io.kvorum.proto.v1.UserGetRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.auth.AuthView;

/**
 * What each request needs: the right on each path it touches (every op of a multi, the
 * watched node or subtree), the admin right for membership, leadership and auth management,
 * or just an authenticated caller (sessions, member lists, status). One place, so a new
 * request type is refused until it is listed here.
 */
final class RequestRights {
    /** Why a request is refused: the path (empty when none) and a sentence. */
    record Denial(String path, String reason) {
    }

    private RequestRights() {
    }

    /**
     * Requests served without any identity: logging in, asking whether auth is on, and health
     * probes (serving or not is all they learn).
     */
    static boolean isPublic(Object request) {
        return request instanceof AuthenticateRequest || request instanceof AuthStatusRequest
                || request instanceof HealthCheckRequest;
    }

    /** Requests that change the cluster or its users: audited whoever sends them. */
    static boolean isAdminOp(Object request) {
        return request instanceof AddMemberRequest || request instanceof PromoteMemberRequest
                || request instanceof RemoveMemberRequest || request instanceof TransferLeadershipRequest
                || request instanceof AuthEnableRequest || request instanceof AuthDisableRequest
                || request instanceof UserAddRequest || request instanceof UserDeleteRequest
                || request instanceof UserChangePasswordRequest || request instanceof UserGrantRoleRequest
                || request instanceof UserRevokeRoleRequest || request instanceof RoleAddRequest
                || request instanceof RoleDeleteRequest || request instanceof RoleGrantPermissionRequest
                || request instanceof RoleRevokePermissionRequest
                || request instanceof SnapshotRequest || request instanceof CompactRequest
                || request instanceof CompactStorageRequest || request instanceof AlarmsRequest;
    }

    /** The request as one line for the audit log, with any password left out. */
    static String describe(Object request) {
        Object shown = request;
        if (request instanceof UserAddRequest r) {
            shown = r.toBuilder().clearPassword().build();
        } else if (request instanceof UserChangePasswordRequest r) {
            shown = r.toBuilder().clearPassword().build();
        }
        return shown.toString().replace('\n', ' ').trim();
    }

    /** Null if {@code user} may send {@code request}, else why not. */
    static Denial check(AuthView v, String user, Object request) {
        if (request instanceof UnparsableRequest) {
            return null; // answered INVALID_ARGUMENT before any service sees it
        } else if (request instanceof BatchParsing.Parsed) {
            return null; // a Batch stream's items: BatchStream checks each through ItemCheck
        } else if (request instanceof CreateRequest r) {
            return need(v, user, PermissionType.WRITE, r.getPath());
        } else if (request instanceof SetRequest r) {
            return need(v, user, PermissionType.WRITE, r.getPath());
        } else if (request instanceof DeleteRequest r) {
            return need(v, user, PermissionType.WRITE, r.getPath());
        } else if (request instanceof GetRequest r) {
            return need(v, user, PermissionType.READ, r.getPath());
        } else if (request instanceof ExistsRequest r) {
            return need(v, user, PermissionType.READ, r.getPath());
        } else if (request instanceof ChildrenRequest r) {
            return need(v, user, PermissionType.READ, r.getPath());
        } else if (request instanceof MultiRequest r) {
            for (int i = 0; i < r.getOpsCount(); i++) {
                Denial d = op(v, user, r.getOps(i));
                if (d != null) {
                    return new Denial(d.path(), d.reason() + " (multi op " + i + ")");
                }
            }
            return null;
        } else if (request instanceof WatchRequest r) {
            return r.hasCreate() ? watch(v, user, r.getCreate()) : null;
        } else if (request instanceof OpenSessionRequest || request instanceof KeepAliveRequest
                || request instanceof CloseSessionRequest || request instanceof ListMembersRequest
                || request instanceof StatusRequest || isPublic(request)) {
            return null;
        } else if (request instanceof UserChangePasswordRequest r && r.getName().equals(user)) {
            return null;
        } else if (request instanceof UserGetRequest r && r.getName().equals(user)) {
            return null;
        }
        // Membership, leadership, maintenance (snapshots, compaction, alarms), auth management,
        // and anything not listed above.
        return v.isAdmin(user) ? null : new Denial("", "user " + user + " lacks the admin permission for "
                + request.getClass().getSimpleName().replace("Request", ""));
    }

    /**
     * Whether {@code user} may still hold what {@code c} watches (re-checked on auth changes): a
     * node watch needs read on its path; a recursive one read on its root or on some path below
     * it, since what it delivers is filtered by {@link #visible} event by event.
     */
    static Denial watch(AuthView v, String user, WatchCreate c) {
        if (c.getRecursive()) {
            return v.allowsSomewhereUnder(user, PermissionType.READ, c.getPath()) ? null
                    : new Denial(c.getPath(), "user " + user + " may read nothing at or under " + c.getPath()
                            + " (a recursive watch needs read on its path or on some path under it)");
        }
        return need(v, user, PermissionType.READ, c.getPath());
    }

    /**
     * What of a watch response {@code user} may see under {@code v}: the response itself when
     * every event in it is readable (or auth is off); else a copy without the events on paths the
     * user may not read; null (send nothing) when no event is left and the response says nothing
     * else (not created, canceled, compacted or a progress notification).
     */
    static WatchResponse visible(AuthView v, String user, WatchResponse r) {
        int n = r.getEventsCount();
        if (n == 0 || !v.enabled()) {
            return r;
        }
        int first = 0;
        while (first < n && v.allows(user, PermissionType.READ, r.getEvents(first).getPath())) {
            first++;
        }
        if (first == n) {
            return r;
        }
        WatchResponse.Builder b = r.toBuilder().clearEvents();
        for (int i = 0; i < n; i++) {
            Event e = r.getEvents(i);
            if (i < first || (i > first && v.allows(user, PermissionType.READ, e.getPath()))) {
                b.addEvents(e);
            }
        }
        if (b.getEventsCount() == 0 && !r.getCreated() && !r.getCanceled() && !r.getProgress()
                && r.getCompactRevision() == 0) {
            return null;
        }
        return b.build();
    }

    private static Denial op(AuthView v, String user, Op op) {
        return switch (op.getOpCase()) {
            case CHECK -> need(v, user, PermissionType.READ, op.getCheck().getPath());
            case CREATE -> need(v, user, PermissionType.WRITE, op.getCreate().getPath());
            case SET -> need(v, user, PermissionType.WRITE, op.getSet().getPath());
            case DELETE -> need(v, user, PermissionType.WRITE, op.getDelete().getPath());
            case OP_NOT_SET -> null;
        };
    }

    private static Denial need(AuthView v, String user, PermissionType type, String path) {
        return v.allows(user, type, path) ? null
                : new Denial(path, "user " + user + " may not " + type.name().toLowerCase() + " " + path);
    }
}
