package io.kvorum.client.recipes;

import com.google.gson.JsonObject;
import io.kvorum.client.BadVersionException;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeData;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.Session;
import java.nio.charset.StandardCharsets;
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
 * {@code /v1/health}, and {@code kvorum service}), so services registered over HTTP or from the
 * shell, with health checks, are discovered here and the other way round; discovery and
 * {@link #readInstances} list passing instances only ({@link ServiceInstance#isPassing}).
 * {@link #put} registers an entry that outlives the client, with checks the cluster runs
 * ({@link ServiceCheck}); {@link #health} lists every instance with its status and
 * {@link #report} reports a TTL check.
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

    /**
     * Registers an instance that outlives this client (a persistent node, replacing one with the
     * same id), as the HTTP API and {@code kvorum service register} do: it stays until
     * {@link #deregister}ed or removed by a check's deregister-after. Its TTL checks start
     * critical until their first report (over HTTP, or {@link #report}).
     *
     * @return the revision of the write
     * @throws KvorumException when the cluster refused or could not be reached
     */
    public long put(ServiceInstance instance) {
        String path = instancePath(instance.name(), instance.id());
        client.ensurePath(servicePath(instance.name()));
        byte[] data = instance.toJson(0, System.currentTimeMillis());
        try {
            return client.create(path, data).revision();
        } catch (NodeExistsException exists) {
            return client.set(path, data).modRevision();
        }
    }

    /**
     * Removes an instance, whoever registered it.
     *
     * @return the revision of the delete
     * @throws NoNodeException when no such instance is registered
     */
    public long deregister(String serviceName, String id) {
        return client.delete(instancePath(serviceName, id));
    }

    /** The names of the services with a node under the base path, sorted. */
    public List<String> services() {
        try {
            return client.children(basePath).stream().sorted().toList();
        } catch (NoNodeException none) {
            return List.of();
        }
    }

    /**
     * Every instance of a service with its health (passing or not), read once from the cluster
     * (linearizably), sorted by id; entries that are not registrations are skipped.
     */
    public List<ServiceHealth> health(String serviceName) {
        List<ServiceHealth> out = new ArrayList<>();
        for (NodeData d : entries(serviceName)) {
            try {
                out.add(ServiceHealth.fromJson(d.data()));
            } catch (IllegalArgumentException notARegistration) {
                // listed by no one
            }
        }
        out.sort((a, b) -> a.instance().id().compareTo(b.instance().id()));
        return out;
    }

    /**
     * Reports a TTL check: its status and a note (Consul's check update). The check's session
     * becomes this client's session, so the check stays alive while this client runs; the entry
     * is written only when the status, note or session changed.
     *
     * @return whether the entry was written
     * @throws NoNodeException when the instance is not registered
     * @throws IllegalArgumentException when it has no such check, or it is not a TTL check
     */
    public boolean report(String serviceName, String id, String checkId, HealthStatus status, String note) {
        Objects.requireNonNull(status, "status");
        String path = instancePath(serviceName, id);
        long session = client.session().id();
        while (true) {
            NodeData d = client.get(path);
            JsonObject entry = CatalogJson.parseObject(d.data());
            JsonObject check = CatalogJson.check(entry, checkId);
            if (check == null || !"ttl".equals(check.get("type").getAsString())) {
                throw new IllegalArgumentException(path + " has no TTL check '" + checkId + "'");
            }
            boolean renewed = CatalogJson.longField(check, "session", 0) != session;
            check.addProperty("session", session);
            boolean changed = CatalogJson.record(entry, check, status, note == null ? "" : note,
                    System.currentTimeMillis()) | renewed;
            if (!changed) {
                return false;
            }
            try {
                client.set(path, entry.toString().getBytes(StandardCharsets.UTF_8), d.stat().version());
                return true;
            } catch (BadVersionException raced) {
                // a probe or another report wrote it meanwhile: apply ours to what it wrote
            }
        }
    }

    private List<NodeData> entries(String serviceName) {
        List<NodeData> out = new ArrayList<>();
        List<String> ids;
        try {
            ids = client.children(servicePath(serviceName));
        } catch (NoNodeException none) {
            return out;
        }
        for (String id : ids) {
            try {
                out.add(client.get(instancePath(serviceName, id)));
            } catch (NoNodeException gone) {
                // deregistered meanwhile
            }
        }
        return out;
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
        for (NodeData d : entries(serviceName)) {
            try {
                ServiceInstance instance = ServiceInstance.fromJson(d.data());
                if (ServiceInstance.isPassing(d.data())) {
                    out.add(instance);
                }
            } catch (IllegalArgumentException notARegistration) {
                // listed by no one
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
