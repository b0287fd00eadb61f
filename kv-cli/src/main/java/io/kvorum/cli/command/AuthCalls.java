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

/** What the user and role commands share: one change with a confirmation line, a list of names as text or JSON. */
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
                JsonObject o = new JsonObject();
                o.add(key, array(names));
                cli.printJson(o);
            } else {
                names.forEach(cli::println);
            }
        }
        return ExitCodes.OK;
    }

    /** The names as a JSON array of strings, in their order. */
    static JsonArray array(List<String> names) {
        JsonArray a = new JsonArray();
        names.forEach(a::add);
        return a;
    }
}
