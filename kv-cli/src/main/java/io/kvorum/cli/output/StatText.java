package io.kvorum.cli.output;

import io.kvorum.client.Stat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A stat as text: one {@code name = value} line per field, like ZooKeeper's {@code stat}. */
public final class StatText {
    private StatText() {
    }

    public static List<String> lines(Stat s) {
        List<String> l = new ArrayList<>();
        l.add("createRevision = " + s.createRevision());
        l.add("modRevision = " + s.modRevision());
        l.add("version = " + s.version());
        l.add("childrenVersion = " + s.childrenVersion());
        l.add("ephemeralOwner = " + (s.ephemeralOwner() == 0 ? "0" : "0x" + Long.toHexString(s.ephemeralOwner())));
        l.add("dataLength = " + s.dataLength());
        l.add("numChildren = " + s.numChildren());
        l.add("ctime = " + Instant.ofEpochMilli(s.ctimeMillis()));
        l.add("mtime = " + Instant.ofEpochMilli(s.mtimeMillis()));
        l.add("mode = " + mode(s));
        if (s.ttl() != null && !s.ttl().isZero()) {
            l.add("ttl = " + s.ttl().toMillis() + "ms");
        }
        return l;
    }

    public static String mode(Stat s) {
        return s.mode() == null ? "?" : s.mode().name().toLowerCase(Locale.ROOT);
    }
}
