package io.kvorum.jepsen.workload;

import io.kvorum.client.CreateMode;
import io.kvorum.client.CreateResult;
import io.kvorum.client.KvorumClient;
import io.kvorum.jepsen.run.Call;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * Sequential creates under a few parents ({@code /jepsen/seq/p<N>}) from clients each bound to
 * a different node (failing over only when it is down), so creates also enter through
 * followers. Each ok create records [sequence suffix, revision]: suffixes must be unique and
 * increase with the revision, and follow real time.
 */
public final class SequentialWorkload implements Workload {
    static final String ROOT = "/jepsen/seq";

    private final int parents;
    private final Duration meanDelay;

    public SequentialWorkload(int parents, Duration meanDelay) {
        this.parents = parents;
        this.meanDelay = meanDelay;
    }

    public SequentialWorkload() {
        this(2, Duration.ofMillis(40));
    }

    @Override
    public String model() {
        return "sequential";
    }

    @Override
    public void setup(KvorumClient client) {
        for (int p = 0; p < parents; p++) {
            client.ensurePath(ROOT + "/p" + p);
        }
    }

    @Override
    public void client(int index, RunContext ctx) {
        Random random = ctx.random(index);
        List<String> endpoints = ctx.clients().endpoints();
        KvorumClient client = ctx.clients().openPreferring(endpoints.get(index % endpoints.size()));
        ProcessSlot slot = ctx.slot();
        while (ctx.pause(random, meanDelay)) {
            String parent = ROOT + "/p" + random.nextInt(parents);
            Call c = ctx.invoke(slot, "create", parent, null);
            try {
                CreateResult r = client.create(parent + "/s-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL);
                c.ok(List.of(suffix(r.path()), r.revision()));
            } catch (RuntimeException e) {
                c.failed(null, e);
            }
        }
    }

    /** The 10-digit sequence a sequential create appends to the name. */
    static long suffix(String path) {
        if (path.length() < 10) {
            throw new IllegalArgumentException("no sequence suffix in " + path);
        }
        return Long.parseLong(path.substring(path.length() - 10));
    }

    @Override
    public void finish(RunContext ctx) {
        // Nothing: every create's answer is judged on its own.
    }
}
