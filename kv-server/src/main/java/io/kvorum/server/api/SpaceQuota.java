package io.kvorum.server.api;

import io.kvorum.server.node.LocalStorage;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The space quota of one node ({@code --quota-bytes}): the size of its state (the data, the
 * watch history, sessions; not the Raft log, which compaction bounds) is measured now and then, and while it is over the quota a NOSPACE alarm is raised and writes
 * that add data are refused ({@link QuotaInterceptor}); reads, deletes and compaction go on, so
 * an operator can make room. The alarm clears by itself once the size is back under. Each node
 * judges its own size: replicas hold the same data, so they cross the quota at about the same
 * time.
 */
public final class SpaceQuota {
    private final long quotaBytes;
    private final LongSupplier size;
    private volatile long lastSize;

    /** {@code quotaBytes} 0 means no quota. */
    public SpaceQuota(long quotaBytes, LongSupplier size) {
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("quota must not be negative, got " + quotaBytes);
        }
        this.quotaBytes = quotaBytes;
        this.size = size;
    }

    /** The quota on the state machine's data in {@code storage} (data, watch history, sessions). */
    public static SpaceQuota ofState(long quotaBytes, LocalStorage storage) {
        return new SpaceQuota(quotaBytes, storage::stateSizeBytes);
    }

    /** Measures the size again; called on a timer and after a storage compaction. */
    public void refresh() {
        lastSize = size.getAsLong();
    }

    public long quotaBytes() {
        return quotaBytes;
    }

    public long lastSizeBytes() {
        return lastSize;
    }

    public boolean exceeded() {
        return quotaBytes > 0 && lastSize > quotaBytes;
    }

    /** The raised alarms, each in words; empty when none. */
    public List<String> alarms() {
        return exceeded() ? List.of("NOSPACE: " + describe()) : List.of();
    }

    /** Why a write is refused: names the quota, the size and what to do. */
    String describe() {
        return "state size " + bytes(lastSize) + " (" + lastSize + " bytes) is over the quota of "
                + bytes(quotaBytes) + " (--quota-bytes=" + quotaBytes + "); delete data, trim the watch "
                + "history with 'kvorum compact REVISION', then run 'kvorum compact-storage'";
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        int u = -1;
        while (v >= 1024 && u < 3) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %siB", v, "KMGT".charAt(u));
    }
}
