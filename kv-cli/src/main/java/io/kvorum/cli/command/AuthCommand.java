package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.client.AuthAdmin;
import io.kvorum.client.KvorumClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kvorum auth enable|disable|status}: the cluster's auth switch. */
@Command(name = "auth", description = {"Turns authentication and access control on or off, or shows whether it is on.",
        "'auth enable' is refused unless user root exists with role root.",
        "JSON (status): {enabled, user, authRevision}."},
        subcommands = CommandLine.HelpCommand.class)
public final class AuthCommand implements Runnable {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    AuthCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: enable, disable or status");
    }

    @Command(name = "enable", description = "Enables auth (needs user root with role root).")
    int enable() {
        try (KvorumClient client = cli.connect()) {
            client.auth().enable();
            cli.println("auth enabled");
        }
        return ExitCodes.OK;
    }

    @Command(name = "disable", description = "Disables auth: every caller may do everything.")
    int disable() {
        try (KvorumClient client = cli.connect()) {
            client.auth().disable();
            cli.println("auth disabled");
        }
        return ExitCodes.OK;
    }

    @Command(name = "status", description = "Whether auth is enabled, and who this client is.")
    int status() {
        try (KvorumClient client = cli.connect()) {
            AuthAdmin.Status s = client.auth().status();
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.addProperty("enabled", s.enabled());
                o.addProperty("user", s.user());
                o.addProperty("authRevision", s.authRevision());
                cli.printJson(o);
            } else {
                cli.println("auth " + (s.enabled() ? "enabled" : "disabled")
                        + (s.user().isEmpty() ? "" : ", authenticated as " + s.user())
                        + " (auth revision " + s.authRevision() + ")");
            }
        }
        return ExitCodes.OK;
    }
}
