package io.kvorum.server.transport;

import io.kvorum.proto.peer.v1.SnapshotFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a snapshot directory holds: every regular file, by relative name, with its size and
 * CRC32C. The sender computes it once per transfer (the receiver checks each file against it
 * before delivering); the naming rules here also guard the receiver's staging directory.
 *
 * @param dir   the snapshot directory
 * @param files sorted by name
 */
record SnapshotManifest(Path dir, List<FileInfo> files) {

    /** One file: name relative to the directory, '/'-separated. */
    record FileInfo(String name, long size, int crc32c) {
        SnapshotFile toProto() {
            return SnapshotFile.newBuilder().setName(name).setSize(size).setCrc32C(crc32c).build();
        }
    }

    /** Lists and checksums every regular file under {@code dir}. */
    static SnapshotManifest scan(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> nameOf(dir, p))).toList();
        }
        List<FileInfo> files = new ArrayList<>(paths.size());
        for (Path p : paths) {
            files.add(new FileInfo(nameOf(dir, p), Files.size(p), Checksums.crc32c(p)));
        }
        return new SnapshotManifest(dir, List.copyOf(files));
    }

    long totalBytes() {
        long n = 0;
        for (FileInfo f : files) {
            n += f.size();
        }
        return n;
    }

    /** The portable name of {@code file} under {@code dir}. */
    static String nameOf(Path dir, Path file) {
        Path rel = dir.relativize(file);
        StringBuilder b = new StringBuilder();
        for (Path part : rel) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(part);
        }
        return b.toString();
    }

    /**
     * Where file {@code name} lives under {@code dir}, refusing names that could escape it: a
     * peer must never be able to write outside its staging directory.
     *
     * @throws IllegalArgumentException for an empty, absolute or non-canonical name
     */
    static Path resolve(Path dir, String name) {
        if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("\\")
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad snapshot file name '" + name + "'");
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("bad snapshot file name '" + name + "'");
            }
        }
        Path p = dir.resolve(name).normalize();
        if (!p.startsWith(dir.normalize()) || p.equals(dir.normalize())) {
            throw new IllegalArgumentException("snapshot file name '" + name + "' escapes the staging directory");
        }
        return p;
    }
}
