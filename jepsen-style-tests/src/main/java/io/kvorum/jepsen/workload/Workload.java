package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumClient;
import io.kvorum.jepsen.run.RunContext;

/**
 * What clients do during a run, producing the history one checker judges. The runner calls
 * {@link #setup} before the history starts, runs {@link #client} on {@link #threads} threads
 * while faults come and go, then heals everything and calls {@link #finish} for final reads.
 */
public interface Workload {
    /** The name of the checker ({@code kvorum-jepsen check --model}) that judges the history. */
    String model();

    /** Client threads for a run of the given concurrency. */
    default int threads(int concurrency) {
        return concurrency;
    }

    /** Creates what the operations need (parent nodes); nothing here is part of the history. */
    void setup(KvorumClient client);

    /** Client thread {@code index}'s operations, until {@link RunContext#running()} turns false. */
    void client(int index, RunContext ctx) throws Exception;

    /** After every fault is healed and the operation threads are done: final reads. */
    void finish(RunContext ctx) throws Exception;
}
