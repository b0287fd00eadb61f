package io.kvorum.jepsen.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code kvorum-server} process, tracked by its {@link Process} handle: killed with
 * SIGKILL through the handle, paused and resumed with {@code kill -STOP/-CONT} on its own pid,
 * restarted on the same data dir and ports. Its output goes to {@code node-<id>.log}, appended
 * across restarts so a report can show a node's whole life.
 */
public final class ServerProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    public final long id;
    public final int clientPort;
    public final int peerPort;
    public final int adminPort;
    private final Path dataDir;
    private final Path log;
    private final ClusterSpec spec;
    private final String initialCluster;
    /** For /status: plain HTTP, or HTTPS trusting the cluster CA when the cluster is secure. */
    private final HttpClient http;
    private final String adminUrl;
    private volatile Process process;
    private volatile boolean paused;
    /** An observer, or a node replaced by an empty one that joined: it always starts with --join. */
    private boolean join;

    ServerProcess(long id, int clientPort, int peerPort, int adminPort, Path dir, ClusterSpec spec,
                  String initialCluster) {
        this.id = id;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.adminPort = adminPort;
        this.dataDir = dir.resolve("node-" + id);
        this.log = dir.resolve("node-" + id + ".log");
        this.spec = spec;
        this.initialCluster = initialCluster;
        this.http = spec.security() == null ? HTTP : spec.security().http(Duration.ofMillis(500));
        this.adminUrl = (spec.security() == null ? "http" : "https") + "://127.0.0.1:" + adminPort;
        // An observer joins the cluster the voters founded; it never bootstraps one.
        this.join = spec.isObserver(id);
    }

    public String clientAddress() {
        return "127.0.0.1:" + clientPort;
    }

    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + id + " is already running");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(spec.jvmOptions());
        cmd.addAll(List.of("-cp", spec.classpath(), "io.kvorum.server.KvorumServer",
                "--id", Long.toString(id), "--cluster-id", spec.clusterId(), "--data-dir", dataDir.toString(),
                "--client-listen", "127.0.0.1:" + clientPort, "--peer-listen", "127.0.0.1:" + peerPort,
                "--admin-listen", "127.0.0.1:" + adminPort, "--initial-cluster", initialCluster,
                "--heartbeat-ms", Long.toString(spec.heartbeatMillis()),
                "--election-ms", Long.toString(spec.electionMillis())));
        if (spec.security() != null) {
            cmd.addAll(spec.security().serverFlags(id));
        }
        if (spec.topology() != null) {
            cmd.addAll(spec.topology().serverFlags(id));
        }
        if (join) {
            // Without it an empty data dir would bootstrap a cluster of its own from
            // --initial-cluster: a second history that claims the same members.
            cmd.add("--join");
        }
        Files.createDirectories(log.getParent());
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        paused = false;
    }

    /**
     * Starts the node afresh as a new member: its data dir is deleted and it starts with
     * {@code --join}, empty, waiting to be added. The process must be down. Its log file goes on.
     */
    public synchronized void startEmptyJoining() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("node " + id + " is running; kill it before wiping its data");
        }
        deleteRecursively(dataDir);
        join = true;
        start();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public boolean isPaused() {
        return paused;
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("node " + id + " was never started");
        }
        return process.pid();
    }

    /** SIGKILL through the handle, and wait until it is gone. */
    public synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + id + " (pid " + process.pid() + ") survived SIGKILL");
            }
        }
        paused = false;
    }

    /**
     * SIGTERM through the handle (a leader hands off leadership first), and wait until it is
     * gone; SIGKILL if it is still there after {@code grace}.
     */
    public synchronized void stop(Duration grace) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        }
        paused = false;
    }

    /** SIGKILL without waiting or locking: for a JVM shutting down. */
    void destroy() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    /** SIGSTOP: the process freezes mid-whatever, sockets open, like a long GC pause or a stalled VM. */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** The node's /status, or empty if it does not answer within a second (down, paused, starting). */
    public Optional<NodeStatus> status() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(adminUrl + "/status"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(NodeStatus.parse(r.body())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The node's /metrics text (Prometheus exposition), or empty if it does not answer within a second. */
    public Optional<String> metrics() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(adminUrl + "/metrics"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The sum of the samples of metric {@code name} whose labels contain every one of
     * {@code labels} (e.g. {@code method="Get"}) in a /metrics text; 0 when there is none.
     */
    public static double metric(String metricsText, String name, String... labels) {
        double sum = 0;
        for (String line : metricsText.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            boolean all = true;
            for (String l : labels) {
                all &= series.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    public Path log() {
        return log;
    }

    @Override
    public String toString() {
        return "node " + id + (isRunning() ? (paused ? " (paused)" : "") : " (down)");
    }
}
