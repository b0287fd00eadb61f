package io.kvorum.server.tls;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Re-reads TLS files when they change (checked every {@code interval}) and on SIGHUP, so
 * certificates are rotated by replacing the files: new handshakes use the new ones and open
 * connections carry on. Replace a file by writing a new one and renaming it over the old, so
 * a reload never sees half a file (a half file is refused anyway and retried at the next change).
 */
public final class TlsReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

    private final List<ReloadingTls> identities;
    private final ScheduledExecutorService timer;
    private volatile boolean sighup;

    private TlsReloader(List<ReloadingTls> identities, Duration interval) {
        this.identities = List.copyOf(identities);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-reload");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::reloadChanged, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts watching {@code identities}' files. */
    public static TlsReloader watch(List<ReloadingTls> identities, Duration interval) {
        return new TlsReloader(identities, interval);
    }

    /**
     * Also reload everything on SIGHUP (the process's only SIGHUP handler). A process started
     * with SIGHUP ignored (under {@code nohup}, or by a parent that ignores it) keeps ignoring
     * it: the JVM then installs no handler, and this says so in the log.
     */
    public TlsReloader onSighup() {
        try {
            SignalHandler previous = Signal.handle(new Signal("HUP"), sig -> timer.execute(this::reloadAll));
            if (previous == SignalHandler.SIG_IGN) {
                LOG.warn("SIGHUP is ignored by this process (started under nohup, or by a parent that ignores "
                        + "it), so it cannot trigger a TLS reload: TLS files are reloaded when they change only");
            } else {
                sighup = true;
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP is not available on this platform: TLS files are reloaded when they change only");
        }
        return this;
    }

    /** Whether SIGHUP reloads the files: {@link #onSighup()} was called and the process does not ignore it. */
    public boolean reloadsOnSighup() {
        return sighup;
    }

    private void reloadChanged() {
        for (ReloadingTls t : identities) {
            try {
                t.reloadIfChanged();
            } catch (RuntimeException e) {
                LOG.error("reloading {} failed", t, e);
            }
        }
    }

    private void reloadAll() {
        LOG.info("SIGHUP: reloading TLS files");
        for (ReloadingTls t : identities) {
            try {
                t.reload();
            } catch (RuntimeException e) {
                LOG.error("reloading {} failed", t, e);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
