package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.client.AuthAdmin;
import io.kvorum.client.KvorumClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kvorum role add|delete|list|get|grant|revoke}: roles and their rights on paths. */
@Command(name = "role", description = {"Manages roles and their rights.",
        "Rights: read, write (create/set/delete), readwrite, admin (membership, leadership, auth). "
                + "'role grant app readwrite /app/ --prefix' covers /app and everything under it.",
        "JSON: list {roles: [...]}; get {name, permissions: [...]}."},
        subcommands = CommandLine.HelpCommand.class)
public final class RoleCommand implements Runnable {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    RoleCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing a subcommand: add, delete, list, get, grant or revoke");
    }

    @Command(name = "add", description = "Adds a role without rights.")
    int add(@Parameters(paramLabel = "NAME") String name) {
        return AuthCalls.change(cli, a -> a.addRole(name), "role " + name + " added");
    }

    @Command(name = "delete", description = "Deletes a role (and takes it from every user).")
    int delete(@Parameters(paramLabel = "NAME") String name) {
        return AuthCalls.change(cli, a -> a.deleteRole(name), "role " + name + " deleted");
    }

    @Command(name = "grant", description = "Grants a right on a path, or with --prefix on every path starting with it.")
    int grant(@Parameters(paramLabel = "ROLE") String role,
              @Parameters(paramLabel = "TYPE", description = "read, write, readwrite or admin") String type,
              @Parameters(paramLabel = "PATH", arity = "0..1", defaultValue = "/") String path,
              @Option(names = "--prefix", description = "The right covers every path starting with PATH.")
              boolean prefix) {
        return AuthCalls.change(cli, a -> a.grantPermission(role, type, path, prefix), type + " on " + path + (prefix ? "*" : "")
                + " granted to role " + role);
    }

    @Command(name = "revoke", description = "Takes back the right on a path (or prefix).")
    int revoke(@Parameters(paramLabel = "ROLE") String role, @Parameters(paramLabel = "PATH") String path,
               @Option(names = "--prefix", description = "The right to revoke is the prefix one.") boolean prefix) {
        return AuthCalls.change(cli, a -> a.revokePermission(role, path, prefix), "right on " + path + (prefix ? "*" : "")
                + " revoked from role " + role);
    }

    @Command(name = "list", description = "Lists the roles.")
    int list() {
        return AuthCalls.names(cli, "roles", AuthAdmin::roles);
    }

    @Command(name = "get", description = "Shows a role's rights.")
    int get(@Parameters(paramLabel = "NAME") String name) {
        try (KvorumClient client = cli.connect()) {
            AuthAdmin.Role r = client.auth().role(name);
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.addProperty("name", r.name());
                o.add("permissions", AuthCalls.array(r.permissions()));
                cli.printJson(o);
            } else {
                cli.println("role " + r.name() + (r.name().equals("root") ? " (built in: every right)" : ""));
                r.permissions().forEach(p -> cli.println("  " + p));
            }
        }
        return ExitCodes.OK;
    }
}
