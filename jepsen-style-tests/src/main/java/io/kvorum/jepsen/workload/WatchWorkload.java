package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeData;
import io.kvorum.client.Watch;
import io.kvorum.client.WatchSpec;
import io.kvorum.jepsen.run.Call;
import io.kvorum.jepsen.run.Outcomes;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watchers and writers on one subtree, {@code /jepsen/watch/k<N>}. A few extra threads each
 * open a recursive watch (each on its own client, so on its own node and connection) from the
 * same start revision; the writers put unique integers and delete. At the end each key is read,
 * and the watchers are given time to deliver everything up to the revision of those reads.
 * Every watcher must have seen the same events in the same order with no gaps, and the events
 * must end in the state the final reads found.
 */
public final class WatchWorkload implements Workload {
    static final String ROOT = "/jepsen/watch";
    static final String PREFIX = ROOT + "/";
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private final int keys;
    private final int watchers;
    private final Duration meanDelay;
    private final AtomicLong nextData = new AtomicLong();
    private final List<Watch> watches = new ArrayList<>();
    private volatile long start;

    public WatchWorkload(int keys, int watchers, Duration meanDelay) {
        this.keys = keys;
        this.watchers = watchers;
        this.meanDelay = meanDelay;
    }

    public WatchWorkload() {
        this(5, 3, Duration.ofMillis(50));
    }

    @Override
    public String model() {
        return "watch";
    }

    @Override
    public int threads(int concurrency) {
        return watchers + concurrency;
    }

    @Override
    public void setup(KvorumClient client) {
        client.ensurePath(ROOT);
        // Every watcher starts just after the subtree's parent exists: all of them must see
        // every write the run makes, from the first.
        start = client.get(ROOT).revision() + 1;
    }

    @Override
    public void client(int index, RunContext ctx) {
        if (index < watchers) {
            watch(index, ctx);
        } else {
            write(index, ctx);
        }
    }

    private void watch(int index, RunContext ctx) {
        Random random = ctx.random(index);
        KvorumClient client = ctx.clients().open();
        ProcessSlot slot = ctx.slot();
        while (ctx.running()) {
            RecordingWatcher listener = new RecordingWatcher(ctx, slot.process(), PREFIX);
            Call c = ctx.invoke(slot, "watch", PREFIX, start);
            try {
                Watch w = client.watch(new WatchSpec(ROOT, true, start), listener);
                c.ok(start);
                listener.confirmed();
                synchronized (watches) {
                    watches.add(w);
                }
                return; // the watch runs on by itself, across node failures
            } catch (RuntimeException e) {
                c.fail(start, Outcomes.describe(e)); // not confirmed: kv-client cancelled it
                ctx.pause(random, Duration.ofMillis(500));
            }
        }
    }

    private void write(int index, RunContext ctx) {
        Random random = ctx.random(index);
        KvorumClient client = ctx.clients().open();
        ProcessSlot slot = ctx.slot();
        while (ctx.pause(random, meanDelay)) {
            String key = PREFIX + "k" + random.nextInt(keys);
            if (random.nextInt(4) > 0) {
                long v = nextData.getAndIncrement();
                Call c = ctx.invoke(slot, "put", key, v);
                try {
                    c.ok(List.of(Data.upsert(client, key, v), v));
                } catch (RuntimeException e) {
                    c.failed(null, e);
                }
            } else {
                Call c = ctx.invoke(slot, "delete", key, null);
                try {
                    c.ok(Arrays.asList(client.delete(key), null));
                } catch (RuntimeException e) {
                    c.failed(null, e); // NoNode: nothing to delete, nothing changed
                }
            }
        }
    }

    @Override
    public void finish(RunContext ctx) throws InterruptedException {
        FinalRead finals = new FinalRead();
        KvorumClient client = ctx.clients().open();
        ProcessSlot slot = ctx.slot();
        for (int k = 0; k < keys; k++) {
            String key = PREFIX + "k" + k;
            Call c = ctx.invoke(slot, "read", key, null);
            try {
                c.ok(finals.retry(() -> {
                    try {
                        NodeData d = client.get(key);
                        return List.of(Data.value(d.data()), d.stat().modRevision());
                    } catch (NoNodeException absent) {
                        return null;
                    }
                }));
            } catch (RuntimeException e) {
                c.fail(null, Outcomes.describe(e));
            }
        }
        // The state those reads saw: every watcher must have delivered up to it (an event, or a
        // progress notice when the newest revisions changed nothing under the prefix).
        long target = finals.retry(() -> client.get(ROOT).revision());
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        List<Watch> ws;
        synchronized (watches) {
            ws = List.copyOf(watches);
        }
        for (Watch w : ws) {
            while (w.isActive() && w.lastRevision() < target && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            w.cancel();
        }
    }
}
