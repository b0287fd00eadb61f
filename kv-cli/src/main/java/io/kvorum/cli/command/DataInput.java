package io.kvorum.cli.command;

import io.kvorum.cli.Cli;
import io.kvorum.cli.UsageError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a node's new data comes from: the DATA argument as UTF-8 text, standard input when DATA
 * is {@code -}, or the bytes of {@code --data-file}.
 */
final class DataInput {
    private DataInput() {
    }

    /**
     * @param required whether one of the two must be given (set); else no data means empty (create)
     */
    static byte[] read(Cli cli, String data, Path file, boolean required) {
        if (data != null && file != null) {
            throw new UsageError("give the data either as an argument or with --data-file, not both");
        }
        if (file != null) {
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new UsageError("data file " + file + " does not exist");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read data file " + file + ": " + e.getMessage(), e);
            }
        }
        if (data == null) {
            if (required) {
                throw new UsageError("missing the data: give DATA, '-' for standard input, or --data-file");
            }
            return new byte[0];
        }
        if (data.equals("-")) {
            try {
                return cli.in().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
            }
        }
        return data.getBytes(StandardCharsets.UTF_8);
    }
}
