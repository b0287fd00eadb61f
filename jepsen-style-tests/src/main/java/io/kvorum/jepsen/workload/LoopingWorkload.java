package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumClient;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import java.time.Duration;
import java.util.Random;

/**
 * A workload whose client threads all loop the same way: each takes its own seeded random
 * stream, a process slot and a client (in a cluster placed in datacenters, a client of one
 * datacenter: see {@code Clients#openFor}), then runs one operation after each random pause (mean
 * {@code meanDelay}) until the run stops. Its nodes live under one root, created at setup.
 */
abstract class LoopingWorkload implements Workload {
    private final String model;
    private final String root;
    private final Duration meanDelay;

    LoopingWorkload(String model, String root, Duration meanDelay) {
        this.model = model;
        this.root = root;
        this.meanDelay = meanDelay;
    }

    @Override
    public final String model() {
        return model;
    }

    @Override
    public void setup(KvorumClient client) {
        client.ensurePath(root);
    }

    @Override
    public final void client(int index, RunContext ctx) {
        Random random = ctx.random(index);
        KvorumClient client = ctx.clients().openFor(index);
        ProcessSlot slot = ctx.slot();
        while (ctx.pause(random, meanDelay)) {
            client = operate(ctx, slot, random, client);
        }
    }

    /**
     * One operation (or, for some workloads, one episode of several) by process {@code slot}.
     *
     * @return the client to go on with: {@code client}, or a new one that replaced it
     */
    abstract KvorumClient operate(RunContext ctx, ProcessSlot slot, Random random, KvorumClient client);
}
