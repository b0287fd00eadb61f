package io.kvorum.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the source tree this build runs in (the deploy/ and bin/ files under test). */
final class Repo {
    private Repo() {
    }

    static Path root() {
        return Path.of(System.getProperty("kvorum.repo", "..")).toAbsolutePath().normalize();
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String version() {
        return System.getProperty("kvorum.version", "0.1.0-SNAPSHOT");
    }
}
