package io.kvorum.cli;

import io.kvorum.cli.bench.BenchCommand;
import io.kvorum.cli.command.AuthCommand;
import io.kvorum.cli.command.CompactCommand;
import io.kvorum.cli.command.CompactStorageCommand;
import io.kvorum.cli.command.CompletionCommand;
import io.kvorum.cli.command.CreateCommand;
import io.kvorum.cli.command.DeleteCommand;
import io.kvorum.cli.command.ElectCommand;
import io.kvorum.cli.command.GetCommand;
import io.kvorum.cli.command.HealthCommand;
import io.kvorum.cli.command.LeaderCommand;
import io.kvorum.cli.command.LockCommand;
import io.kvorum.cli.command.LsCommand;
import io.kvorum.cli.command.MemberCommand;
import io.kvorum.cli.command.MultiCommand;
import io.kvorum.cli.command.RoleCommand;
import io.kvorum.cli.command.ServiceCommand;
import io.kvorum.cli.command.SetCommand;
import io.kvorum.cli.command.SnapshotCommand;
import io.kvorum.cli.command.StatCommand;
import io.kvorum.cli.command.StatusCommand;
import io.kvorum.cli.command.UserCommand;
import io.kvorum.cli.command.WatchCommand;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kvorum}: the command-line tool of a Kvorum cluster. {@link #main} is the launcher's
 * entry point; {@link #commandLine(Cli)} builds the same command for tests, over their own
 * streams.
 */
@Command(name = "kvorum", mixinStandardHelpOptions = true, versionProvider = Kvorum.Version.class,
        description = "Reads and writes a Kvorum cluster's tree of nodes, watches it, takes locks, runs elections, "
                + "keeps a service catalog, manages membership and measures it.",
        subcommands = {CreateCommand.class, GetCommand.class, SetCommand.class, DeleteCommand.class, LsCommand.class,
                StatCommand.class, WatchCommand.class, MultiCommand.class, LockCommand.class, ElectCommand.class,
                MemberCommand.class, LeaderCommand.class, StatusCommand.class, HealthCommand.class,
                SnapshotCommand.class, CompactCommand.class, CompactStorageCommand.class, AuthCommand.class,
                UserCommand.class, RoleCommand.class, ServiceCommand.class, BenchCommand.class, CompletionCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0 success, 1 other error, 2 bad usage, 3 no such node, 4 node exists,",
                "  5 bad version or failed precondition, 6 cluster unavailable or deadline exceeded,",
                "  7 permission denied. Endpoints: --endpoints, else $KVORUM_ENDPOINTS, else 127.0.0.1:7379."})
public final class Kvorum implements Runnable {
    /** How long the shutdown hook lets a command clean up (close its session, release its lock). */
    private static final Duration CLEANUP = Duration.ofSeconds(15);

    @Mixin
    private GlobalOptions global;

    @Spec
    private CommandSpec spec;

    Kvorum(Cli cli) {
        this.global = cli.options();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
    }

    /** The {@code kvorum} command line over {@code cli}'s streams. */
    public static CommandLine commandLine(Cli cli) {
        CommandLine cl = new CommandLine(new Kvorum(cli), new CommandFactory(cli));
        cl.setOut(cli.outWriter());
        cl.setErr(cli.errWriter());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorHandler(cli));
        cl.setExitCodeExceptionMapper(ExitCodes::of);
        addHelpOption(cl);
        return cl;
    }

    /** Gives every subcommand {@code -h/--help} (not {@code --version}: set and delete use it for node versions). */
    private static void addHelpOption(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandSpec s = sub.getCommandSpec();
            if (s.findOption("--help") == null) {
                s.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
            addHelpOption(sub);
        }
    }

    /** Runs {@code kvorum args} in {@code cli}; returns the exit code. */
    public static int run(Cli cli, String... args) {
        return commandLine(cli).execute(args);
    }

    public static void main(String[] args) {
        Logs.quiet();
        StopSignal stop = new StopSignal();
        CountDownLatch done = new CountDownLatch(1);
        // Ctrl-C and SIGTERM run shutdown hooks: tell the command, then give it time to close its
        // session or release its lock before the JVM goes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.request();
            try {
                done.await(CLEANUP.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kvorum-shutdown"));
        int code = run(Cli.system(stop), args);
        done.countDown();
        System.exit(code);
    }

    /** {@code --version}: the jar's implementation version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Kvorum.class.getPackage().getImplementationVersion();
            return new String[] {"kvorum " + (v == null ? "(development build)" : v)};
        }
    }
}
