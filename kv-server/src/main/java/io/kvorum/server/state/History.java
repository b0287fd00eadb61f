package io.kvorum.server.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.storage.StateReader;

import java.util.ArrayList;
import java.util.List;

/**
 * The watch history: each revision's events as a {@link RevisionEvents} under
 * {@code 'h' + revision} (big-endian), so resuming a watch is one range read. Every revision
 * has events (a command that changes nothing does not advance the revision), so the kept
 * revisions are contiguous: {@code [oldest, revision]}, at least
 * {@link StateLimits#historyRevisions()} H of them once there are that many, and fewer than
 * {@code min(64, H / 64)} more: the revisions pushed out of the window are deleted that many
 * at a time (with the default H, 64 by one range delete), where deleting each in the batch of
 * the revision pushing it out cost a delete per write.
 */
final class History {
    /** Deleting more than this many old revisions at once uses one range delete. */
    private static final int POINT_DELETES = 16;
    private static final int MAX_TRIM_STEP = 64;

    private final long keep;
    /** Revisions pushed out of the window are deleted once this many are. */
    private final long trimStep;
    /** Oldest revision stored, 0 if none: the apply thread's view. */
    private long oldestStored;
    /** What {@link #compactedRevision()} answers: published when a batch is durable. */
    private volatile long compacted = 1;

    History(StateLimits limits) {
        this.keep = limits.historyRevisions();
        this.trimStep = Math.min(MAX_TRIM_STEP, Math.max(1, keep / MAX_TRIM_STEP));
    }

    void load(StateReader store, long revision) {
        long[] first = {0};
        store.forEachWithPrefix(Keys.prefix(Keys.HISTORY), 1, (k, v) -> first[0] = Keys.getLong(k, 1));
        oldestStored = first[0];
        publish(revision);
    }

    /** Stores revision {@code re.getRevision()} (the next one) and drops what falls out of the window. */
    void record(BatchOverlay o, RevisionEvents re) {
        long r = re.getRevision();
        long keepFrom = Math.max(1, r - keep + 1);
        if (keep > 0) {
            o.put(Keys.history(r), re.toByteArray());
            if (oldestStored == 0) {
                oldestStored = r;
            }
        }
        if (keep <= 0 || keepFrom - oldestStored >= trimStep) {
            dropBefore(o, keepFrom);
        }
        if (keep <= 0) {
            oldestStored = 0;
        }
    }

    /**
     * An operator's compaction: drops the stored revisions before {@code revision}, which must
     * not be past {@code current} (the newest revision), so the newest one always stays.
     */
    void compact(BatchOverlay o, long revision, long current) {
        dropBefore(o, Math.min(revision, current));
    }

    private void dropBefore(BatchOverlay o, long keepFrom) {
        if (oldestStored != 0 && oldestStored < keepFrom) {
            if (keepFrom - oldestStored <= POINT_DELETES) {
                for (long x = oldestStored; x < keepFrom; x++) {
                    o.delete(Keys.history(x));
                }
            } else {
                o.deleteUnreadRange(Keys.history(oldestStored), Keys.history(keepFrom));
            }
            oldestStored = keepFrom;
        }
    }

    /** Makes what the apply thread wrote through {@code revision} visible to readers. */
    void publish(long revision) {
        compacted = oldestStored == 0 ? revision + 1 : oldestStored;
    }

    long compactedRevision() {
        return compacted;
    }

    List<RevisionEvents> read(StateReader store, long fromRevision, int maxRevisions) {
        long oldest = compacted;
        if (fromRevision < oldest) {
            throw compactedError(fromRevision, oldest);
        }
        List<RevisionEvents> out = new ArrayList<>(Math.min(Math.max(maxRevisions, 0), 1024));
        if (maxRevisions <= 0) {
            return out;
        }
        store.forEachInRange(Keys.history(fromRevision), Keys.prefixEnd(Keys.HISTORY), maxRevisions, (k, v) -> {
            try {
                out.add(RevisionEvents.parseFrom(v));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("history record " + Keys.getLong(k, 1) + " is unreadable", e);
            }
        });
        if (!out.isEmpty() && out.get(0).getRevision() != fromRevision) {
            // Trimmed by a batch that landed after `compacted` was read.
            throw compactedError(fromRevision, out.get(0).getRevision());
        }
        return out;
    }

    private static StateException compactedError(long from, long oldest) {
        return new StateException(ErrorReason.COMPACTED, "", "revision " + from
                + " is compacted: the oldest revision kept is " + oldest + "; watch from there or later");
    }
}
