package io.kvorum.client.recipes;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An instance with its health, as the catalog holds it now: its status (the worst of its
 * checks') and each check's. What {@link ServiceRegistry#health} lists.
 *
 * @param instance the registration
 * @param status the instance's status
 * @param checks each check's state, in the registration's order
 */
public record ServiceHealth(ServiceInstance instance, HealthStatus status, List<CheckState> checks) {
    public ServiceHealth {
        checks = List.copyOf(checks);
    }

    /**
     * One check's state.
     *
     * @param id the check's id
     * @param type what it checks
     * @param status its status
     * @param output why it failed, or the service's note; empty when there is nothing to say
     * @param sinceMillis when it took this status (wall clock of the node or client that wrote it)
     */
    public record CheckState(String id, ServiceCheck.Type type, HealthStatus status, String output, long sinceMillis) {
    }

    /**
     * Reads a stored entry.
     *
     * @throws IllegalArgumentException when it is not a registration
     */
    public static ServiceHealth fromJson(byte[] json) {
        ServiceInstance instance = ServiceInstance.fromJson(json);
        JsonObject entry = CatalogJson.parseObject(json);
        List<CheckState> states = new ArrayList<>();
        for (JsonObject c : CatalogJson.checks(entry)) {
            String id = c.get("id").getAsString();
            ServiceCheck.Type type = instance.checks().stream().filter(d -> d.id().equals(id)).findFirst()
                    .orElseThrow().type();
            states.add(new CheckState(id, type, CatalogJson.checkStatus(c),
                    c.has("output") && c.get("output").isJsonPrimitive() ? c.get("output").getAsString() : "",
                    CatalogJson.longField(c, "statusSinceMillis", 0)));
        }
        return new ServiceHealth(instance, CatalogJson.status(entry), states);
    }
}
