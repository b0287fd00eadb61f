package io.kvorum.cli;


import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code kvorum} in-process over captured streams, as a user would from a shell: the
 * arguments, an environment, standard input; then the exit code and what it printed.
 */
final class Run {
    /** What a finished command left behind. */
    record Result(int exit, String out, String err, byte[] outBytes) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private final Map<String, String> env;
    private final byte[] stdin;

    private Run(Map<String, String> env, byte[] stdin) {
        this.env = env;
        this.stdin = stdin;
    }

    static Run with() {
        return new Run(Map.of(), new byte[0]);
    }

    Run env(Map<String, String> env) {
        return new Run(env, stdin);
    }

    Run stdin(String text) {
        return new Run(env, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs to completion. */
    Result run(String... args) {
        return start(args).await();
    }

    static Result kvorum(String... args) {
        return with().run(args);
    }

    /** Starts a command on its own thread, for those that run until interrupted. */
    Background start(String... args) {
        return new Background(this, args);
    }

    /** A command running on its own thread; {@link #interrupt()} is its Ctrl-C. */
    static final class Background {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final StopSignal stop = new StopSignal();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        private Background(Run run, String[] args) {
            Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(run.stdin), run.env,
                    stop, false);
            Thread t = new Thread(() -> {
                try {
                    exit.complete(Kvorum.run(cli, args));
                } catch (Throwable e) {
                    exit.completeExceptionally(e);
                }
            }, "kvorum " + String.join(" ", args));
            t.setDaemon(true);
            t.start();
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        List<String> lines() {
            String o = out();
            return o.isEmpty() ? List.of() : new ArrayList<>(List.of(o.split("\n")));
        }

        /** Waits until stdout holds at least {@code n} lines. */
        Background awaitLines(int n) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> lines().size() >= n || exit.isDone());
            return this;
        }

        /** Waits until stderr contains {@code text}. */
        Background awaitErr(String text) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> err().contains(text) || exit.isDone());
            return this;
        }

        boolean running() {
            return !exit.isDone();
        }

        /** Ctrl-C. */
        Background interrupt() {
            stop.request();
            return this;
        }

        Result await() {
            try {
                int code = exit.get(90, TimeUnit.SECONDS);
                return new Result(code, out(), err(), out.toByteArray());
            } catch (Exception e) {
                throw new AssertionError("kvorum did not finish: " + e + "\nstdout: " + out() + "\nstderr: " + err(), e);
            }
        }
    }
}
