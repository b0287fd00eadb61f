package io.kvorum.client;

import java.util.Objects;

/**
 * A node's client address, with what routing needs to know about it.
 *
 * @param address {@code host:port} of the node's client port
 * @param weight its share of requests under {@link EndpointPolicy#WEIGHTED} (positive)
 * @param datacenter the datacenter it runs in, for {@link EndpointPolicy#PREFER_LOCAL}; may be null
 */
public record Endpoint(String address, int weight, String datacenter) {
    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (address.isBlank() || address.lastIndexOf(':') <= 0) {
            throw new IllegalArgumentException("endpoint '" + address + "' is not host:port");
        }
        if (weight <= 0) {
            throw new IllegalArgumentException("endpoint " + address + " has weight " + weight + ": weights are positive");
        }
    }

    /** An endpoint of weight 1 in no particular datacenter. */
    public static Endpoint of(String address) {
        return new Endpoint(address, 1, null);
    }

    /** This endpoint with another weight. */
    public Endpoint withWeight(int weight) {
        return new Endpoint(address, weight, datacenter);
    }

    /** This endpoint tagged with a datacenter. */
    public Endpoint inDatacenter(String datacenter) {
        return new Endpoint(address, weight, datacenter);
    }
}
