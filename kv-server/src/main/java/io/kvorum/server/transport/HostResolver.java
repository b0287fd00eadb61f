package io.kvorum.server.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a peer's host name into addresses. The transport asks it when it first connects to a
 * peer and again whenever a connection to that peer fails, so a peer that comes back under
 * the same name at another address (a Kubernetes pod rescheduled with a new IP) is found
 * again. A literal IP address resolves to itself without a lookup.
 */
@FunctionalInterface
public interface HostResolver {
    /** The JVM's resolver (DNS, /etc/hosts), subject to its address cache. */
    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * @return at least one address; tried in order
     * @throws UnknownHostException when the name does not resolve (now)
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
