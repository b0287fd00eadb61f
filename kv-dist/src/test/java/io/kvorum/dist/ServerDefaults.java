package io.kvorum.dist;

import io.kvorum.server.KvorumServer;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * kvorum-server's settings as its own command line declares them: what the files in deploy/
 * and conf/ must agree with, read from the server rather than copied into the tests.
 */
final class ServerDefaults {
    private ServerDefaults() {
    }

    static CommandLine commandLine() {
        return new CommandLine(new KvorumServer());
    }

    /**
     * Every setting, by flag name without dashes, to its default: the declared one, else the
     * field's initial value (false for a switch); "" for a required setting or one without.
     */
    static Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        for (OptionSpec o : commandLine().getCommandSpec().options()) {
            String name = o.longestName().replaceFirst("^--", "");
            if (o.usageHelp() || o.versionHelp() || name.equals("config")) {
                continue;
            }
            Object initial = o.initialValue();
            out.put(name, o.required() ? "" : o.defaultValue() != null ? o.defaultValue()
                    : initial != null ? String.valueOf(initial) : "");
        }
        return out;
    }

    /** The port of a listen flag's default, e.g. 7379 for client-listen. */
    static int port(String listenSetting) {
        String v = settings().get(listenSetting);
        if (v == null || !v.contains(":")) {
            throw new IllegalArgumentException(listenSetting + " has no host:port default: " + v);
        }
        return Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
    }
}
