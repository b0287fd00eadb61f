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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
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
        footerHeading = "%nExit codes:%n",
        footer = {"  0 success, 1 other error, 2 bad usage, 3 no such node, 4 node exists,",
                "  5 bad version or failed precondition, 6 cluster unavailable or deadline exceeded,",
                "  7 permission denied. Endpoints: --endpoints, else $KVORUM_ENDPOINTS, else 127.0.0.1:7379."})
public final class Kvorum implements Runnable {
    /** How long the shutdown hook lets a command clean up (close its session, release its lock). */
    private static final Duration CLEANUP = Duration.ofSeconds(15);
    /** Netty's switch for its JFR events, under gRPC's shaded package name. */
    private static final String NETTY_JFR = "io.grpc.netty.shaded.io.netty.jfr.enabled";
    /**
     * Netty's switch for its native transports, under gRPC's shaded package name. gRPC looks for
     * epoll when its first channel is made, which extracts and loads a native library; the
     * command's client runs on NIO anyway (see KvorumClientBuilder#ownEventLoop).
     */
    private static final String NETTY_NO_NATIVE = "io.grpc.netty.shaded.io.netty.transport.noNative";

    /**
     * The subcommands in the order {@code --help} lists them, by every name they answer to
     * (their {@code @Command} name and aliases; a test keeps the two in step). They are
     * registered here rather than in the annotation so that a command line can build only the
     * one it runs: picocli reads every registered command's options by reflection, which was
     * most of a short command's start-up.
     */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands(
            "create", CreateCommand.class, "get", GetCommand.class, "set", SetCommand.class,
            "delete", DeleteCommand.class, "rm", DeleteCommand.class, "ls", LsCommand.class,
            "stat", StatCommand.class, "watch", WatchCommand.class, "multi", MultiCommand.class,
            "lock", LockCommand.class, "elect", ElectCommand.class, "member", MemberCommand.class,
            "leader", LeaderCommand.class, "status", StatusCommand.class, "health", HealthCommand.class,
            "snapshot", SnapshotCommand.class, "compact", CompactCommand.class,
            "compact-storage", CompactStorageCommand.class, "auth", AuthCommand.class, "user", UserCommand.class,
            "role", RoleCommand.class, "service", ServiceCommand.class, "bench", BenchCommand.class,
            "completion", CompletionCommand.class);

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

    /** The {@code kvorum} command line over {@code cli}'s streams, with every subcommand. */
    public static CommandLine commandLine(Cli cli) {
        return commandLine(cli, new LinkedHashSet<>(SUBCOMMANDS.values()));
    }

    /**
     * The command line that runs {@code args}: with only the subcommands {@code args} name, so
     * that a command builds its own options and no one else's. Any word of {@code args} that is
     * a subcommand's name counts (an option's value that happens to be one only adds that
     * subcommand). Every subcommand is built when none is named (top-level help, an unknown
     * command, which picocli answers with the list) and for {@code completion}, whose script
     * covers them all.
     */
    static CommandLine commandLineFor(Cli cli, String... args) {
        Set<Class<?>> named = new LinkedHashSet<>();
        for (String a : args) {
            Class<?> c = SUBCOMMANDS.get(a);
            if (c == CompletionCommand.class) {
                return commandLine(cli);
            }
            if (c != null) {
                named.add(c);
            }
        }
        return named.isEmpty() ? commandLine(cli) : commandLine(cli, named);
    }

    private static CommandLine commandLine(Cli cli, Set<Class<?>> subcommands) {
        CommandLine cl = new CommandLine(new Kvorum(cli), new CommandFactory(cli));
        for (Class<?> c : subcommands) {
            cl.addSubcommand(c);
        }
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
        return commandLineFor(cli, args).execute(args);
    }

    public static void main(String[] args) {
        Logs.quiet();
        // Netty registers JFR events for its buffer pool unless told not to; setting JFR up on
        // the first allocation cost a command about 0.1 s of CPU, before its request was sent.
        System.getProperties().putIfAbsent(NETTY_JFR, "false");
        System.getProperties().putIfAbsent(NETTY_NO_NATIVE, "true");
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

    private static Map<String, Class<?>> subcommands(Object... nameThenClass) {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            m.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return Collections.unmodifiableMap(m);
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
