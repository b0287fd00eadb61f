package io.kvorum.client.recipes;

import io.kvorum.client.CacheEvent;
import io.kvorum.client.CacheListener;
import io.kvorum.client.KvorumCache;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live instances of one service, from a {@link KvorumCache} of {@code /services/<name>}:
 * an instance appears when it registers and disappears when it deregisters or its session
 * expires, and is left out while the catalog's health check says it is critical. Picks one of
 * the passing instances by {@link LoadBalancing}. Get one from {@link ServiceRegistry#discover}.
 */
public final class ServiceDiscovery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceDiscovery.class);

    private final String servicePath;
    private final KvorumCache cache;
    private final InstancePicker picker;
    private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final List<Consumer<List<ServiceInstance>>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<ServiceInstance> instances = List.of();

    ServiceDiscovery(KvorumClient client, String servicePath, LoadBalancing balancing) {
        this.servicePath = servicePath;
        this.cache = client.treeCache(servicePath);
        this.picker = InstancePicker.of(balancing);
        cache.addListener(new CacheListener() {
            @Override
            public void changed(CacheEvent event) {
                rebuild();
            }

            @Override
            public void initialized() {
                rebuild();
            }
        });
    }

    void start() {
        cache.start();
        rebuild();
    }

    /** The live instances as this view holds them now (no call to the cluster), sorted by id. */
    public List<ServiceInstance> instances() {
        return instances;
    }

    /** An instance by the balancing policy, or empty when none is registered. */
    public Optional<ServiceInstance> pick() {
        List<ServiceInstance> now = instances;
        synchronized (picker) {
            return Optional.ofNullable(picker.pick(now, outstanding));
        }
    }

    /**
     * Picks an instance and counts a request to it as outstanding until the lease is closed
     * (what {@link LoadBalancing#LEAST_OUTSTANDING} balances on).
     */
    public Optional<ServiceLease> acquire() {
        return pick().map(s -> {
            AtomicInteger n = outstanding.computeIfAbsent(s.id(), k -> new AtomicInteger());
            n.incrementAndGet();
            return new ServiceLease(s, n::decrementAndGet);
        });
    }

    /**
     * Told the current list of instances at once (on this thread), then the new list each time
     * it changes.
     */
    public synchronized void addListener(Consumer<List<ServiceInstance>> listener) {
        listeners.add(listener);
        listener.accept(instances);
    }

    @Override
    public void close() {
        cache.close();
    }

    private synchronized void rebuild() {
        List<ServiceInstance> list = new ArrayList<>();
        for (NodeData d : cache.children(servicePath)) {
            try {
                ServiceInstance instance = ServiceInstance.fromJson(d.data());
                if (ServiceInstance.isPassing(d.data())) {
                    list.add(instance);
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring {}: not a service registration ({})", d.path(), e.getMessage());
            }
        }
        list.sort((a, b) -> a.id().compareTo(b.id()));
        List<ServiceInstance> now = List.copyOf(list);
        if (now.equals(instances) && !instances.isEmpty()) {
            return;
        }
        synchronized (picker) {
            picker.update(now);
        }
        instances = now;
        outstanding.keySet().retainAll(now.stream().map(ServiceInstance::id).toList());
        for (Consumer<List<ServiceInstance>> l : listeners) {
            l.accept(now);
        }
    }
}
