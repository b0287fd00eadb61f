package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.client.AuthAdmin;
import io.kvorum.client.KvorumClient;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** What the user and role commands share: one change with a confirmation line, a list of names. */
final class AuthCalls {
    private AuthCalls() {
    }

    static int change(Cli cli, Consumer<AuthAdmin> change, String done) {
        try (KvorumClient client = cli.connect()) {
            change.accept(client.auth());
            cli.println(done);
        }
        return ExitCodes.OK;
    }

    /** Prints names one a line, or as JSON {@code {key: [...]}}. */
    static int names(Cli cli, String key, Function<AuthAdmin, List<String>> list) {
        try (KvorumClient client = cli.connect()) {
            List<String> names = list.apply(client.auth());
            if (cli.json()) {
                JsonArray a = new JsonArray();
                names.forEach(a::add);
                JsonObject o = new JsonObject();
                o.add(key, a);
                cli.printJson(o);
            } else {
                names.forEach(cli::println);
            }
        }
        return ExitCodes.OK;
    }
}
