package io.kvorum.cli.command;

import io.kvorum.cli.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command {@code kvorum lock} runs. From a terminal it shares kvorum's own standard streams
 * (an interactive command stays interactive); otherwise (tests, embedding) its output is
 * copied to the Cli's streams and its input is empty.
 */
final class ChildProcess {
    private final Process process;
    private final Thread[] pumps;

    private ChildProcess(Process process, Thread... pumps) {
        this.process = process;
        this.pumps = pumps;
    }

    static ChildProcess start(Cli cli, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        if (cli.console()) {
            pb.inheritIO();
            return new ChildProcess(pb.start());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        return new ChildProcess(p, pump(p.getInputStream(), cli.out()), pump(p.getErrorStream(), cli.err()));
    }

    private static Thread pump(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = from.read(buf)) != -1; ) {
                    synchronized (to) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "kvorum-lock-child-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    java.util.concurrent.CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /**
     * Asks the child and its descendants to stop (SIGTERM), then kills them (SIGKILL) if they
     * have not after {@code graceMillis}. Descendants too: {@code sh -c 'work; sleep 60'} would
     * otherwise leave its {@code sleep} running, holding the lock's work and our output pipe.
     */
    void stop(long graceMillis) throws InterruptedException {
        java.util.List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    /** Waits for the child and for its output to be copied; returns its exit code. */
    int waitFor() throws InterruptedException {
        int code = process.waitFor();
        for (Thread t : pumps) {
            t.join(5000);
        }
        return code;
    }
}
