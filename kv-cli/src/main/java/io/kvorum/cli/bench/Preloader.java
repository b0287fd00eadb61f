package io.kvorum.cli.bench;

import io.kvorum.cli.Errors;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.Stat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the benchmark's keys before the clock starts, 64 at a time; keys left by an earlier
 * run are kept as they are. Reads need something to read, and writes are sets, which need
 * the node to exist.
 */
final class Preloader {
    private static final int IN_FLIGHT = 64;

    private Preloader() {
    }

    static void preload(KvorumClient client, KeySpace keys, byte[] value, RequestOptions options)
            throws InterruptedException {
        client.async().ensurePath(keys.prefix(), options).join();
        Semaphore permits = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < keys.count() && failure.get() == null; i++) {
            permits.acquire();
            CompletableFuture<?> f = client.async().create(keys.path(i), value, io.kvorum.client.CreateMode.PERSISTENT,
                    options);
            f.whenComplete((r, e) -> {
                Throwable c = e == null ? null : Errors.unwrap(e);
                if (c != null && !(c instanceof NodeExistsException)) {
                    failure.compareAndSet(null, c);
                }
                permits.release();
            });
        }
        permits.acquire(IN_FLIGHT);
        Throwable f = failure.get();
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f != null) {
            throw new IllegalStateException("preloading the benchmark's keys failed: " + f, f);
        }
    }

    /**
     * Whether an earlier run left every key (the prefix has as many children, the first and the
     * last among them), so that preloading, a create per key refused as existing, can be skipped:
     * those refusals are writes too, and would load the cluster just before the measurement.
     */
    static boolean alreadyLoaded(KvorumClient client, KeySpace keys, RequestOptions options) {
        Optional<Stat> prefix = client.async().exists(keys.prefix(), options).join();
        return prefix.isPresent() && prefix.get().numChildren() >= keys.count()
                && client.async().exists(keys.path(0), options).join().isPresent()
                && client.async().exists(keys.path(keys.count() - 1), options).join().isPresent();
    }
}
