package io.kvorum.jepsen.harness;

import java.util.List;

/**
 * How to start a cluster's servers. The classpath defaults to this JVM's, which holds kv-server
 * and its dependencies (a runtime dependency of this module, in tests and under
 * bin/kvorum-jepsen alike); the system property {@code kvorum.server.classpath} overrides it.
 * With {@code security} (null for none) every port runs TLS.
 */
public record ClusterSpec(int size, String clusterId, long heartbeatMillis, long electionMillis, String classpath,
                          List<String> jvmOptions, ClusterSecurity security) {

    public static ClusterSpec of(int size) {
        return new ClusterSpec(size, "jepsen", 50, 500,
                System.getProperty("kvorum.server.classpath", System.getProperty("java.class.path")),
                List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), null);
    }

    public ClusterSpec withTimeouts(long heartbeatMillis, long electionMillis) {
        return new ClusterSpec(size, clusterId, heartbeatMillis, electionMillis, classpath, jvmOptions, security);
    }

    /** The servers run TLS on every port with {@code s}'s certificates. */
    public ClusterSpec withSecurity(ClusterSecurity s) {
        return new ClusterSpec(size, clusterId, heartbeatMillis, electionMillis, classpath, jvmOptions, s);
    }
}
