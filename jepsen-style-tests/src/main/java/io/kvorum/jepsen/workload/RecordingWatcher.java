package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumException;
import io.kvorum.client.WatchEvent;
import io.kvorum.client.WatchListener;
import io.kvorum.jepsen.run.RunContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A watch's listener that records each change under the prefix as an {@code event} observation
 * of its watcher process: [revision, "put" or "delete", data]. Events that arrive before the
 * watch call returned ok are held back and recorded right after the ok line (the checker only
 * accepts events of a confirmed watcher); a watch that failed to start records nothing.
 * Children-changed notices of the parent are not data changes and are left out.
 */
final class RecordingWatcher implements WatchListener {
    private final RunContext ctx;
    private final long process;
    private final String prefix;
    private List<Object[]> early = new ArrayList<>();
    private long lastRevision;
    private volatile String error;

    RecordingWatcher(RunContext ctx, long process, String prefix) {
        this.ctx = ctx;
        this.process = process;
        this.prefix = prefix;
    }

    @Override
    public synchronized void onEvent(WatchEvent e) {
        if (e.type() == WatchEvent.Type.CHILDREN_CHANGED || !e.path().startsWith(prefix)) {
            return;
        }
        boolean delete = e.type() == WatchEvent.Type.DELETED;
        List<Object> value = Arrays.asList(e.revision(), delete ? "delete" : "put", delete ? null : Data.value(e.data()));
        if (early != null) {
            early.add(new Object[] {e.path(), value});
        } else {
            ctx.observe(process, "event", e.path(), value);
        }
        lastRevision = Math.max(lastRevision, e.revision());
    }

    /** Call right after recording the watch's ok: flushes what arrived before. */
    synchronized void confirmed() {
        for (Object[] e : early) {
            ctx.observe(process, "event", (String) e[0], e[1]);
        }
        early = null;
    }

    @Override
    public void onError(KvorumException e) {
        error = e.toString();
    }

    /** The newest revision of an event seen. */
    synchronized long lastRevision() {
        return lastRevision;
    }

    /** Why the watch ended by itself (null while it runs). */
    String error() {
        return error;
    }
}
