package io.kvorum.jepsen.harness;

import java.util.List;

/**
 * How to start a cluster's servers. The classpath defaults to this JVM's, which holds kv-server
 * and its dependencies (a runtime dependency of this module, in tests and under
 * bin/kvorum-jepsen alike); the system property {@code kvorum.server.classpath} overrides it.
 * With {@code security} (null for none) every port runs TLS. With {@code topology} (null for
 * none) the nodes are placed in datacenters, observers included, with WAN delays between them.
 */
public record ClusterSpec(int size, String clusterId, long heartbeatMillis, long electionMillis, String classpath,
                          List<String> jvmOptions, ClusterSecurity security, Topology topology) {

    public ClusterSpec {
        if (topology != null && topology.size() != size) {
            throw new IllegalArgumentException("a cluster of " + size + " nodes cannot have the topology "
                    + topology.describe());
        }
    }

    /** A cluster without datacenters. */
    public ClusterSpec(int size, String clusterId, long heartbeatMillis, long electionMillis, String classpath,
                       List<String> jvmOptions, ClusterSecurity security) {
        this(size, clusterId, heartbeatMillis, electionMillis, classpath, jvmOptions, security, null);
    }

    public static ClusterSpec of(int size) {
        return new ClusterSpec(size, "jepsen", 50, 500,
                System.getProperty("kvorum.server.classpath", System.getProperty("java.class.path")),
                List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), null);
    }

    /** A cluster of {@code t}'s nodes, placed as it says. */
    public static ClusterSpec of(Topology t) {
        return of(t.size()).withTopology(t);
    }

    public ClusterSpec withTimeouts(long heartbeatMillis, long electionMillis) {
        return new ClusterSpec(size, clusterId, heartbeatMillis, electionMillis, classpath, jvmOptions, security,
                topology);
    }

    /** The servers run TLS on every port with {@code s}'s certificates. */
    public ClusterSpec withSecurity(ClusterSecurity s) {
        return new ClusterSpec(size, clusterId, heartbeatMillis, electionMillis, classpath, jvmOptions, s, topology);
    }

    public ClusterSpec withTopology(Topology t) {
        return new ClusterSpec(t.size(), clusterId, heartbeatMillis, electionMillis, classpath, jvmOptions, security, t);
    }

    /** Whether node {@code id} is an observer (it joins after the voters founded the cluster). */
    public boolean isObserver(long id) {
        return topology != null && topology.observers().contains(id);
    }
}
