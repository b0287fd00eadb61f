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
 * kv-client may retry exactly-once); now and then a client reads the whole set (the children),
 * and the final read lists them on the healed cluster. Elements are unique across the run, so
 * an acknowledged add missing from the final read was lost, one missing from an earlier read
 * that began after it was acknowledged was read stale, and one that failed yet is there was
 * wrongly reported failed.
 */
public final class SetWorkload extends LoopingWorkload {
    static final String ROOT = "/jepsen/set";

    private final AtomicLong next = new AtomicLong();

    public SetWorkload(Duration meanDelay) {
        super("set", ROOT, meanDelay);
    }

    public SetWorkload() {
        this(Duration.ofMillis(40));
    }

    @Override
    KvorumClient operate(RunContext ctx, ProcessSlot slot, Random random, KvorumClient client) {
        if (random.nextInt(20) == 0) {
            read(ctx, slot, client); // a listing is costly: one operation in twenty
            return client;
        }
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
        return client;
    }

    /**
     * Lists the set. Each page of the listing is its own linearizable read, so the whole is the
     * union of states at times within the operation: still a read that must hold every element
     * acknowledged before it began (the set only grows).
     */
    private static void read(RunContext ctx, ProcessSlot slot, KvorumClient client) {
        Call c = ctx.invoke(slot, "read", null, null);
        try {
            c.ok(elements(client.children(ROOT)));
        } catch (RuntimeException e) {
            c.fail(null, Outcomes.describe(e));
        }
    }

    @Override
    public void finish(RunContext ctx) {
        FinalRead finals = new FinalRead();
        KvorumClient client = ctx.clients().open();
        Call c = ctx.invoke(ctx.slot(), "read", null, null);
        try {
            c.ok(elements(finals.retry(() -> client.children(ROOT))));
        } catch (RuntimeException e) {
            c.fail(null, Outcomes.describe(e));
        }
    }

    private static List<Long> elements(List<String> names) {
        List<Long> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(Long.parseLong(n));
        }
        return out;
    }
}
