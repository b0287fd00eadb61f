package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.Security;
import io.kvorum.client.AuthAdmin;
import io.kvorum.client.KvorumClient;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvorum user add|delete|passwd|list|get|grant-role|revoke-role}. New passwords come
 * from {@code --new-password-file}, {@code KVORUM_NEW_PASSWORD} or a prompt, never the
 * command line.
 */
@Command(name = "user", description = {"Manages users.",
        "New passwords: --new-password-file, else $KVORUM_NEW_PASSWORD, else asked twice (not echoed).",
        "JSON: list {users: [...]}; get {name, roles: [...], hasPassword}."},
        subcommands = CommandLine.HelpCommand.class)
public final class UserCommand implements Runnable {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--new-password-file", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "Read the new password from the first line of this file.")
    Path newPasswordFile;

    UserCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing a subcommand: add, delete, passwd, list, get, grant-role or revoke-role");
    }

    @Command(name = "add", description = "Adds a user.")
    int add(@Parameters(paramLabel = "NAME") String name,
            @Option(names = "--no-password", description = "The user logs in by client certificate only.")
            boolean noPassword) {
        String pw = noPassword ? null : Security.newPassword(newPasswordFile, name, cli.env());
        return AuthCalls.change(cli, a -> a.addUser(name, pw), "user " + name + " added");
    }

    @Command(name = "delete", description = "Deletes a user.")
    int delete(@Parameters(paramLabel = "NAME") String name) {
        return AuthCalls.change(cli, a -> a.deleteUser(name), "user " + name + " deleted");
    }

    @Command(name = "passwd", description = "Sets a user's password (their tokens stop working).")
    int passwd(@Parameters(paramLabel = "NAME") String name) {
        String pw = Security.newPassword(newPasswordFile, name, cli.env());
        return AuthCalls.change(cli, a -> a.changePassword(name, pw), "password of " + name + " changed");
    }

    @Command(name = "grant-role", description = "Gives a user a role.")
    int grantRole(@Parameters(paramLabel = "USER") String user, @Parameters(paramLabel = "ROLE") String role) {
        return AuthCalls.change(cli, a -> a.grantRole(user, role), "role " + role + " granted to " + user);
    }

    @Command(name = "revoke-role", description = "Takes a role from a user.")
    int revokeRole(@Parameters(paramLabel = "USER") String user, @Parameters(paramLabel = "ROLE") String role) {
        return AuthCalls.change(cli, a -> a.revokeRole(user, role), "role " + role + " revoked from " + user);
    }

    @Command(name = "list", description = "Lists the users.")
    int list() {
        return AuthCalls.names(cli, "users", AuthAdmin::users);
    }

    @Command(name = "get", description = "Shows a user's roles.")
    int get(@Parameters(paramLabel = "NAME") String name) {
        try (KvorumClient client = cli.connect()) {
            AuthAdmin.User u = client.auth().user(name);
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.addProperty("name", u.name());
                o.add("roles", AuthCalls.array(u.roles()));
                o.addProperty("hasPassword", u.hasPassword());
                cli.printJson(o);
            } else {
                cli.println("user " + u.name() + (u.hasPassword() ? "" : " (client certificate only)"));
                cli.println("roles: " + (u.roles().isEmpty() ? "none" : String.join(", ", u.roles())));
            }
        }
        return ExitCodes.OK;
    }
}
