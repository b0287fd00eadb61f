package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The subcommand table, and that a command line builds only the subcommands its words name. */
class SubcommandsTest {
    private static Cli cli() {
        return new Cli(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), new StopSignal(), false);
    }

    @Test
    void theTableNamesEachSubcommandByItsAnnotatedNameAndAliases() {
        for (Class<?> c : new LinkedHashSet<>(Kvorum.SUBCOMMANDS.values())) {
            Command a = c.getAnnotation(Command.class);
            assertNotNull(a, c + " is a picocli command");
            Set<String> expected = new LinkedHashSet<>(List.of(a.name()));
            expected.addAll(List.of(a.aliases()));
            Set<String> inTable = new LinkedHashSet<>();
            Kvorum.SUBCOMMANDS.forEach((name, cls) -> {
                if (cls == c) {
                    inTable.add(name);
                }
            });
            assertEquals(expected, inTable, "names of " + c.getSimpleName());
        }
    }

    @Test
    void aCommandBuildsOnlyTheSubcommandItRuns() {
        CommandLine cl = Kvorum.commandLineFor(cli(), "--endpoints", "127.0.0.1:1", "get", "/x", "--stat");
        assertEquals(Set.of("get"), cl.getSubcommands().keySet());
        // Global options still reach it, before and after its name.
        CommandLine.ParseResult r = cl.parseArgs("--endpoints", "127.0.0.1:1", "get", "/x", "-o", "json");
        assertEquals("get", r.subcommand().commandSpec().name());

        CommandLine rm = Kvorum.commandLineFor(cli(), "rm", "/x");
        assertEquals(Set.of("delete", "rm"), rm.getSubcommands().keySet());
    }

    @Test
    void helpAnUnknownCommandAndCompletionBuildThemAll() {
        Set<String> all = Kvorum.SUBCOMMANDS.keySet();
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"frobnicate"}, new String[0],
                new String[] {"completion"})) {
            assertEquals(all, Kvorum.commandLineFor(cli(), args).getSubcommands().keySet(), String.join(" ", args));
        }
        assertEquals(new ArrayList<>(all), new ArrayList<>(Kvorum.commandLine(cli()).getSubcommands().keySet()),
                "--help lists them in the table's order");
    }
}
