package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.DurationConverter;
import io.kvorum.cli.ExitCodes;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.recipes.DistributedLock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum lock NAME -- CMD...}: runs CMD while holding the lock, like
 * {@code etcdctl lock}. The child gets the lock's fencing token in {@code KVORUM_LOCK_TOKEN}
 * and kvorum exits with the child's exit code. Without CMD it prints the token and holds the
 * lock until interrupted. If the lock is lost (the session could not be kept alive) while CMD
 * runs, CMD is stopped: someone else may hold the lock by then.
 */
@Command(name = "lock", description = {"Runs a command while holding a lock, and exits with its exit code.",
        "The command gets the lock's fencing token in $KVORUM_LOCK_TOKEN (and the lock's path in $KVORUM_LOCK_PATH); "
                + "the token grows with every new holder, so a resource can refuse writes from an older one.",
        "Without a command, prints the token and holds the lock until Ctrl-C.",
        "If the lock is lost while the command runs (the session could not be kept alive), the command is stopped "
                + "(SIGTERM, then SIGKILL) and kvorum exits 6.",
        "NAME is a lock under " + Names.LOCKS + ", or an absolute path. JSON (without a command): {lock, token}."},
        footer = {"%nExamples:", "  kvorum lock backup -- ./backup.sh --full",
                "  kvorum lock deploy -- sh -c 'echo \"token $KVORUM_LOCK_TOKEN\"; ./deploy.sh'"})
public final class LockCommand extends SessionCommand {
    /** How long a stopped child gets between SIGTERM and SIGKILL. */
    private static final long GRACE_MILLIS = 5_000;

    @Parameters(index = "0", paramLabel = "NAME", description = "The lock's name or absolute path.")
    String name;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "CMD", description = "The command to run, after '--'.")
    List<String> command;

    @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up (exit 1) if the lock is not acquired within DURATION; entering the queue counts "
                    + "against it. Default: wait forever.")
    Duration wait;

    LockCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected int run(KvorumClient client) throws Exception {
        String path = Names.path(Names.LOCKS, name);
        DistributedLock lock = new DistributedLock(client, path, who().getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Boolean> acquired = Background.call("kvorum-lock-acquire", () -> lock.acquire(wait));
        cli.stop().awaitStopOr(acquired);
        if (!acquired.isDone()) {
            cli.note("interrupted before lock " + path + " was acquired");
            return ExitCodes.ERROR;
        }
        if (!acquired.join()) {
            cli.note("Error: lock " + path + " was not acquired within " + wait.toMillis() + " ms");
            return ExitCodes.ERROR;
        }
        long token = lock.fencingToken();
        try {
            return command == null || command.isEmpty() ? hold(lock, path, token) : runWhileHeld(lock, path, token);
        } finally {
            lock.release();
        }
    }

    private int hold(DistributedLock lock, String path, long token) throws InterruptedException {
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("lock", path);
            o.addProperty("token", token);
            cli.printJson(o);
        } else {
            cli.println(path + " " + token);
        }
        cli.note("holding lock " + path + " until Ctrl-C");
        cli.stop().awaitStopOr(lock.whenLost());
        if (!cli.stop().requested()) {
            cli.note("Error: lock " + path + " was lost: the session could not be kept alive");
            return ExitCodes.UNAVAILABLE;
        }
        return ExitCodes.OK;
    }

    private int runWhileHeld(DistributedLock lock, String path, long token) throws Exception {
        ChildProcess child;
        try {
            child = ChildProcess.start(cli, command, Map.of("KVORUM_LOCK_TOKEN", Long.toString(token),
                    "KVORUM_LOCK_PATH", path));
        } catch (java.io.IOException e) {
            cli.note("Error: cannot run " + command.get(0) + ": " + e.getMessage());
            return ExitCodes.ERROR;
        }
        CompletableFuture<?> lostOrExited = CompletableFuture.anyOf(lock.whenLost(), child.onExit());
        cli.stop().awaitStopOr(lostOrExited);
        if (lock.whenLost().isDone() && !child.onExit().isDone()) {
            cli.note("Error: lock " + path + " was lost (the session could not be kept alive); stopping "
                    + command.get(0));
            child.stop(GRACE_MILLIS);
            child.waitFor();
            return ExitCodes.UNAVAILABLE;
        }
        if (cli.stop().requested() && !child.onExit().isDone()) {
            // Ctrl-C reaches a terminal's whole process group; SIGTERM only us: pass it on either way.
            child.stop(GRACE_MILLIS);
        }
        return child.waitFor();
    }

    private static String who() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return "kvorum lock on " + host + " pid " + ProcessHandle.current().pid();
    }
}
