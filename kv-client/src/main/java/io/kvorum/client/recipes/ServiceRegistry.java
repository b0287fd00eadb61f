package io.kvorum.client.recipes;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeData;
import io.kvorum.client.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Service registration and discovery over the tree: each instance is an ephemeral node
 * {@code <base>/<service name>/<instance id>} (base {@code /services} by default) whose data is
 * the instance's JSON ({@link ServiceInstance#toJson()}). An instance is listed exactly while
 * its owner's session lives.
 *
 * <p>This is also the layout of the server's service catalog (HTTP {@code /v1/catalog} and
 * {@code /v1/health}), so services registered over HTTP, with health checks, are discovered
 * here and the other way round; discovery and {@link #readInstances} list passing instances
 * only ({@link ServiceInstance#isPassing}).
 *
 * <pre>{@code
 * ServiceRegistry registry = new ServiceRegistry(client);
 * ServiceRegistration me = registry.register(ServiceInstance.of("orders", "10.0.0.5", 8080).withWeight(3));
 * ServiceDiscovery orders = registry.discover("orders", LoadBalancing.WEIGHTED_ROUND_ROBIN);
 * ServiceInstance target = orders.pick().orElseThrow();
 * }</pre>
 */
public final class ServiceRegistry {
    public static final String DEFAULT_BASE_PATH = "/services";

    private final KvorumClient client;
    private final String basePath;

    public ServiceRegistry(KvorumClient client) {
        this(client, DEFAULT_BASE_PATH);
    }

    public ServiceRegistry(KvorumClient client, String basePath) {
        this.client = Objects.requireNonNull(client, "client");
        this.basePath = Objects.requireNonNull(basePath, "basePath");
    }

    /**
     * Registers an instance (waiting for the cluster) under the client's session; it stays
     * registered, across session expiry, until the registration is closed or the client closes.
     *
     * @throws KvorumException when the cluster refused or could not be reached
     */
    public ServiceRegistration register(ServiceInstance instance) {
        return register(instance, null);
    }

    /**
     * Registers an instance under {@code session} (null: the client's session): it is listed
     * exactly while that session lives, or until the registration is closed.
     *
     * @throws KvorumException when the cluster refused or could not be reached
     */
    public ServiceRegistration register(ServiceInstance instance, Session session) {
        ServiceRegistration r = new ServiceRegistration(client, instance, instancePath(instance.name(), instance.id()),
                session);
        r.start();
        return r;
    }

    /** A started, live view of a service's instances. Close it when done. */
    public ServiceDiscovery discover(String serviceName, LoadBalancing balancing) {
        ServiceDiscovery d = new ServiceDiscovery(client, servicePath(serviceName), balancing);
        d.start();
        return d;
    }

    /**
     * The passing instances registered now, read once from the cluster (linearizably). For a view kept
     * up to date, use {@link #discover} and {@link ServiceDiscovery#instances()}.
     */
    public List<ServiceInstance> readInstances(String serviceName) {
        List<ServiceInstance> out = new ArrayList<>();
        List<String> ids;
        try {
            ids = client.children(servicePath(serviceName));
        } catch (NoNodeException none) {
            return List.of();
        }
        for (String id : ids) {
            try {
                NodeData d = client.get(instancePath(serviceName, id));
                ServiceInstance instance = ServiceInstance.fromJson(d.data());
                if (ServiceInstance.isPassing(d.data())) {
                    out.add(instance);
                }
            } catch (NoNodeException | IllegalArgumentException gone) {
                // deregistered meanwhile, or not a registration
            }
        }
        return out;
    }

    String servicePath(String name) {
        return (basePath.equals("/") ? "" : basePath) + "/" + name;
    }

    String instancePath(String name, String id) {
        return servicePath(name) + "/" + id;
    }
}
