package io.kvorum.server.auth;

import io.kvorum.proto.internal.v1.AuthData;
import io.kvorum.proto.internal.v1.StoredUser;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.Role;
import io.kvorum.server.state.AuthStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An indexed, immutable copy of one {@link AuthData}: what every request is checked against.
 * Built once per applied auth change, so a check is a few map lookups and no disk read.
 */
public final class AuthView {
    /** Auth off: what a node in break-glass mode checks against. */
    public static final AuthView DISABLED = new AuthView(AuthData.getDefaultInstance());
    private final AuthData data;
    private final Map<String, StoredUser> users = new HashMap<>();
    private final Map<String, List<Permission>> roles = new HashMap<>();

    public AuthView(AuthData data) {
        this.data = data;
        for (StoredUser u : data.getUsersList()) {
            users.put(u.getName(), u);
        }
        for (Role r : data.getRolesList()) {
            roles.put(r.getName(), r.getPermissionsList());
        }
    }

    public AuthData data() {
        return data;
    }

    public boolean enabled() {
        return data.getEnabled();
    }

    public StoredUser user(String name) {
        return users.get(name);
    }

    /** Whether {@code user} may do {@code need} (READ or WRITE) on {@code path}. */
    public boolean allows(String user, PermissionType need, String path) {
        return grants(user, need, p -> covers(p, path));
    }

    /**
     * Whether {@code user} may do {@code need} on {@code path} or on some path below it: what a
     * recursive watch on {@code path} needs to be set (its events are then filtered one by one
     * with {@link #allows}).
     */
    public boolean allowsSomewhereUnder(String user, PermissionType need, String path) {
        return grants(user, need, p -> coversSomethingUnder(p, path));
    }

    /** Whether {@code user} may run cluster operations and manage auth. */
    public boolean isAdmin(String user) {
        return grants(user, PermissionType.ADMIN, p -> true);
    }

    private boolean grants(String user, PermissionType need, java.util.function.Predicate<Permission> target) {
        StoredUser u = users.get(user);
        if (u == null) {
            return false;
        }
        for (String role : u.getRolesList()) {
            if (role.equals(AuthStore.ROOT)) {
                return true;
            }
            for (Permission p : roles.getOrDefault(role, List.of())) {
                if (typeCovers(p.getType(), need) && (need == PermissionType.ADMIN || target.test(p))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean typeCovers(PermissionType granted, PermissionType need) {
        return granted == need || (granted == PermissionType.READWRITE
                && Set.of(PermissionType.READ, PermissionType.WRITE).contains(need));
    }

    /**
     * A prefix grant covers every path starting with its key, and the subtree's root too: "/app/"
     * covers "/app". An exact grant covers its own path only.
     */
    static boolean covers(Permission p, String path) {
        String key = p.getKey();
        if (!p.getPrefix()) {
            return key.equals(path);
        }
        return path.startsWith(key) || (key.endsWith("/") && key.length() > 1
                && path.equals(key.substring(0, key.length() - 1)));
    }

    /**
     * Whether {@code p} covers {@code path} or some path below it: a grant covering the path, or
     * one whose key lies below it ("/app/a/" or the exact "/app/a/x" under "/app"). A path below
     * P starts with P + "/", so a grant whose key does not start with that matches a path below
     * P only if it covers P itself (its key is a prefix of P, or is P + "/").
     */
    static boolean coversSomethingUnder(Permission p, String path) {
        String below = path.endsWith("/") ? path : path + "/";
        return covers(p, path) || p.getKey().startsWith(below);
    }
}
