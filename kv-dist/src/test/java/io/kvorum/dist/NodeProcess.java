package io.kvorum.dist;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One server started as a process (through a launcher or the entrypoint), on loopback ports
 * chosen by the test. Output goes to its log file. Signalled only through its own handle.
 */
final class NodeProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    final long id;
    final String host;
    final int clientPort;
    final int peerPort;
    final int adminPort;
    final Path log;
    private Process process;

    NodeProcess(long id, String host, int clientPort, int peerPort, int adminPort, Path log) {
        this.id = id;
        this.host = host;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.adminPort = adminPort;
        this.log = log;
    }

    /** The same node (id, ports, log) to be started on another address. */
    NodeProcess movedTo(String newHost) {
        return new NodeProcess(id, newHost, clientPort, peerPort, adminPort, log);
    }

    String clientAddress() {
        return host + ":" + clientPort;
    }

    void start(List<String> command, Map<String, String> env, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        process = pb.start();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** SIGTERM, then the exit code once it exited within {@code seconds}. */
    int terminate(int seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("node " + id + " still running " + seconds + " s after SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL, and wait until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The admin port's /status, if it answers. */
    Optional<String> status() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + adminPort
                    + "/status")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** A numeric field of /status, or -1 when the node does not answer. */
    long statusField(String name) {
        return status().map(s -> {
            Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(s);
            return m.find() ? Long.parseLong(m.group(1)) : -1L;
        }).orElse(-1L);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
