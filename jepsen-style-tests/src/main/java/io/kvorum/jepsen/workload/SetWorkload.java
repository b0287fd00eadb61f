package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeExistsException;
import io.kvorum.jepsen.run.Call;
import io.kvorum.jepsen.run.Outcomes;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A grow-only set: adding element e creates the node {@code /jepsen/set/<e>} (one write, which
 * kv-client may retry exactly-once); the final read lists the children on the healed cluster.
 * Elements are unique across the run, so an acknowledged add missing from the final read was
 * lost, and one that failed yet is there was wrongly reported failed.
 */
public final class SetWorkload implements Workload {
    static final String ROOT = "/jepsen/set";

    private final Duration meanDelay;
    private final AtomicLong next = new AtomicLong();

    public SetWorkload(Duration meanDelay) {
        this.meanDelay = meanDelay;
    }

    public SetWorkload() {
        this(Duration.ofMillis(40));
    }

    @Override
    public String model() {
        return "set";
    }

    @Override
    public void setup(KvorumClient client) {
        client.ensurePath(ROOT);
    }

    @Override
    public void client(int index, RunContext ctx) {
        Random random = ctx.random(index);
        KvorumClient client = ctx.clients().open();
        ProcessSlot slot = ctx.slot();
        while (ctx.pause(random, meanDelay)) {
            long e = next.getAndIncrement();
            Call c = ctx.invoke(slot, "add", null, e);
            try {
                client.create(ROOT + "/" + e, new byte[0]);
                c.ok(e);
            } catch (NodeExistsException exists) {
                // Nobody else adds e: an earlier attempt of this very write created it and the
                // answer to that attempt was lost. It happened, but this call did not see it do so.
                c.info(e, Outcomes.describe(exists));
            } catch (RuntimeException ex) {
                c.failed(e, ex);
            }
        }
    }

    @Override
    public void finish(RunContext ctx) {
        KvorumClient client = ctx.clients().open();
        Call c = ctx.invoke(ctx.slot(), "read", null, null);
        try {
            List<String> names = FinalRead.retry(() -> client.children(ROOT));
            List<Long> elements = new ArrayList<>(names.size());
            for (String n : names) {
                elements.add(Long.parseLong(n));
            }
            c.ok(elements);
        } catch (RuntimeException e) {
            c.fail(null, Outcomes.describe(e));
        }
    }
}
