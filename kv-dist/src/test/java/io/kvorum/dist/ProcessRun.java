package io.kvorum.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A short command run to completion: exit code and output (stdout and stderr together). */
record ProcessRun(int exitCode, String output) {

    /** Runs {@code command} in {@code dir} with exactly {@code env}; at most {@code seconds}. */
    static ProcessRun run(List<String> command, Path dir, Map<String, String> env, int seconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("run", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError(command + " did not finish within " + seconds + " s");
            }
            return new ProcessRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    List<String> lines() {
        return output.lines().toList();
    }
}
