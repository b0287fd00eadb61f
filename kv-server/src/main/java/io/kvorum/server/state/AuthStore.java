package io.kvorum.server.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvorum.proto.internal.v1.AddUser;
import io.kvorum.proto.internal.v1.AuthChange;
import io.kvorum.proto.internal.v1.AuthData;
import io.kvorum.proto.internal.v1.StoredUser;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.Role;
import io.kvorum.server.storage.StateReader;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Users, roles and the auth switch, kept as one {@link AuthData} record under
 * {@link Keys#AUTH} and changed only by applying {@link AuthChange} commands, so every node
 * holds the same users and rights after the same log entry. Not a change to the tree: no
 * revision, no events. Readers get an immutable snapshot ({@link #current()}) that is
 * replaced whole when a change commits.
 *
 * <p>The role {@value #ROOT} is built in: it grants everything and cannot be changed or
 * deleted. Changes that would lock everyone out are refused while auth is enabled: enabling
 * without a user {@value #ROOT} holding the role {@value #ROOT}, deleting that user, or taking
 * the role from it.
 */
public final class AuthStore {
    public static final String ROOT = "root";
    private static final int MAX_NAME_CHARS = 256;
    private static final int MIN_SECRET_BYTES = 32;

    private volatile AuthData data = AuthData.getDefaultInstance();
    private final List<Consumer<AuthData>> listeners = new CopyOnWriteArrayList<>();

    void load(StateReader store) {
        byte[] v = store.get(Keys.AUTH);
        AuthData d;
        try {
            d = v == null ? AuthData.getDefaultInstance() : AuthData.parseFrom(v);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the stored auth record does not parse: the store is damaged", e);
        }
        publish(d);
    }

    /** The users, roles and switch as of the last applied change. */
    public AuthData current() {
        return data;
    }

    /**
     * Called with the new record after each applied change (and after a snapshot is loaded), on
     * the node's loop thread: must not block.
     */
    public void addListener(Consumer<AuthData> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Consumer<AuthData> listener) {
        listeners.remove(listener);
    }

    private void publish(AuthData d) {
        data = d;
        for (Consumer<AuthData> l : listeners) {
            l.accept(d);
        }
    }

    void apply(Txn t, AuthChange c) {
        AuthData.Builder b = data.toBuilder();
        switch (c.getChangeCase()) {
            case ADD_USER -> {
                AddUser a = c.getAddUser();
                checkName(a.getName(), "user");
                if (userIndex(b, a.getName()) >= 0) {
                    throw fail(ErrorReason.AUTH_EXISTS, "user " + a.getName() + " already exists");
                }
                StoredUser.Builder u = StoredUser.newBuilder().setName(a.getName()).setGeneration(1);
                if (a.hasPassword()) {
                    u.setPassword(a.getPassword());
                }
                b.addUsers(u);
            }
            case DELETE_USER -> {
                String name = c.getDeleteUser().getName();
                int i = existingUser(b, name);
                if (b.getEnabled() && name.equals(ROOT)) {
                    throw fail(ErrorReason.AUTH_REFUSED, "user root cannot be deleted while auth is enabled");
                }
                b.removeUsers(i);
            }
            case SET_PASSWORD -> {
                int i = existingUser(b, c.getSetPassword().getName());
                StoredUser u = b.getUsers(i);
                b.setUsers(i, u.toBuilder().setPassword(c.getSetPassword().getPassword())
                        .setGeneration(u.getGeneration() + 1));
            }
            case GRANT_ROLE -> {
                String user = c.getGrantRole().getUser();
                String role = c.getGrantRole().getRole();
                int i = existingUser(b, user);
                if (!role.equals(ROOT) && roleIndex(b, role) < 0) {
                    throw fail(ErrorReason.AUTH_NOT_FOUND, "role " + role + " does not exist");
                }
                if (!b.getUsers(i).getRolesList().contains(role)) {
                    b.setUsers(i, b.getUsers(i).toBuilder().addRoles(role));
                }
            }
            case REVOKE_ROLE -> {
                String user = c.getRevokeRole().getUser();
                String role = c.getRevokeRole().getRole();
                int i = existingUser(b, user);
                List<String> roles = b.getUsers(i).getRolesList();
                if (!roles.contains(role)) {
                    throw fail(ErrorReason.AUTH_NOT_FOUND, "user " + user + " does not have role " + role);
                }
                if (b.getEnabled() && user.equals(ROOT) && role.equals(ROOT)) {
                    throw fail(ErrorReason.AUTH_REFUSED, "role root cannot be taken from user root while auth is "
                            + "enabled");
                }
                StoredUser.Builder u = b.getUsers(i).toBuilder().clearRoles();
                roles.stream().filter(r -> !r.equals(role)).forEach(u::addRoles);
                b.setUsers(i, u);
            }
            case ADD_ROLE -> {
                String name = c.getAddRole().getName();
                checkName(name, "role");
                if (name.equals(ROOT) || roleIndex(b, name) >= 0) {
                    throw fail(ErrorReason.AUTH_EXISTS, "role " + name + " already exists");
                }
                b.addRoles(Role.newBuilder().setName(name));
            }
            case DELETE_ROLE -> {
                String name = c.getDeleteRole().getName();
                int i = existingRole(b, name);
                b.removeRoles(i);
                for (int u = 0; u < b.getUsersCount(); u++) {
                    StoredUser user = b.getUsers(u);
                    if (user.getRolesList().contains(name)) {
                        StoredUser.Builder ub = user.toBuilder().clearRoles();
                        user.getRolesList().stream().filter(r -> !r.equals(name)).forEach(ub::addRoles);
                        b.setUsers(u, ub);
                    }
                }
            }
            case GRANT_PERMISSION -> {
                int i = existingRole(b, c.getGrantPermission().getRole());
                Permission p = checkPermission(c.getGrantPermission().getPermission());
                Role.Builder r = b.getRoles(i).toBuilder().clearPermissions();
                for (Permission old : b.getRoles(i).getPermissionsList()) {
                    if (!sameTarget(old, p)) {
                        r.addPermissions(old);
                    }
                }
                b.setRoles(i, r.addPermissions(p));
            }
            case REVOKE_PERMISSION -> {
                var rp = c.getRevokePermission();
                int i = existingRole(b, rp.getRole());
                Role.Builder r = b.getRoles(i).toBuilder().clearPermissions();
                boolean found = false;
                for (Permission old : b.getRoles(i).getPermissionsList()) {
                    if (old.getKey().equals(rp.getKey()) && old.getPrefix() == rp.getPrefix()) {
                        found = true;
                    } else {
                        r.addPermissions(old);
                    }
                }
                if (!found) {
                    throw fail(ErrorReason.AUTH_NOT_FOUND, "role " + rp.getRole() + " has no permission on "
                            + (rp.getPrefix() ? "prefix " : "") + "'" + rp.getKey() + "'");
                }
                b.setRoles(i, r);
            }
            case ENABLE -> {
                int root = userIndex(b, ROOT);
                if (root < 0 || !b.getUsers(root).getRolesList().contains(ROOT)) {
                    throw fail(ErrorReason.AUTH_REFUSED, "auth cannot be enabled until user root exists and has "
                            + "role root (kvorum user add root; kvorum user grant-role root root)");
                }
                if (c.getEnable().getTokenSecret().size() < MIN_SECRET_BYTES) {
                    throw fail(ErrorReason.INVALID_DATA, "token secret shorter than " + MIN_SECRET_BYTES + " bytes");
                }
                if (!b.getEnabled()) {
                    b.setEnabled(true).setTokenSecret(c.getEnable().getTokenSecret());
                }
            }
            case DISABLE -> b.setEnabled(false);
            case CHANGE_NOT_SET -> throw fail(ErrorReason.INVALID_DATA, "auth change carries no operation");
        }
        AuthData next = b.setAuthRevision(b.getAuthRevision() + 1).build();
        t.put(Keys.AUTH, next.toByteArray());
        t.onCommit(() -> publish(next));
    }

    private static boolean sameTarget(Permission a, Permission b) {
        return a.getKey().equals(b.getKey()) && a.getPrefix() == b.getPrefix();
    }

    private static Permission checkPermission(Permission p) {
        if (p.getType() == PermissionType.ADMIN) {
            return p.toBuilder().setKey("").setPrefix(false).build();
        }
        if (p.getType() == PermissionType.UNRECOGNIZED) {
            throw fail(ErrorReason.INVALID_DATA, "unknown permission type");
        }
        if (!p.getKey().startsWith("/")) {
            throw fail(ErrorReason.INVALID_PATH, "permission key '" + p.getKey() + "' must start with '/'");
        }
        return p;
    }

    private static void checkName(String name, String what) {
        if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
            throw fail(ErrorReason.INVALID_DATA, what + " name must be 1-" + MAX_NAME_CHARS + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i)) || Character.isWhitespace(name.charAt(i))) {
                throw fail(ErrorReason.INVALID_DATA, what + " name '" + name + "' contains spaces or control "
                        + "characters");
            }
        }
    }

    private static int existingUser(AuthData.Builder b, String name) {
        int i = userIndex(b, name);
        if (i < 0) {
            throw fail(ErrorReason.AUTH_NOT_FOUND, "user " + name + " does not exist");
        }
        return i;
    }

    private static int existingRole(AuthData.Builder b, String name) {
        if (name.equals(ROOT)) {
            throw fail(ErrorReason.AUTH_REFUSED, "role root is built in and cannot be changed");
        }
        int i = roleIndex(b, name);
        if (i < 0) {
            throw fail(ErrorReason.AUTH_NOT_FOUND, "role " + name + " does not exist");
        }
        return i;
    }

    private static int userIndex(AuthData.Builder b, String name) {
        for (int i = 0; i < b.getUsersCount(); i++) {
            if (b.getUsers(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static int roleIndex(AuthData.Builder b, String name) {
        for (int i = 0; i < b.getRolesCount(); i++) {
            if (b.getRoles(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static CommandFailure fail(ErrorReason reason, String message) {
        return new CommandFailure(reason, "", message);
    }
}
