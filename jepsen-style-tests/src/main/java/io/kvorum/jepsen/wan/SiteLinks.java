package io.kvorum.jepsen.wan;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import io.kvorum.jepsen.harness.Topology;
import io.kvorum.jepsen.net.LinkProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client side of the simulated WAN: a client "in" a datacenter reaches each node through a
 * proxy of its own that delays by the WAN's one-way delay when the node is in another
 * datacenter (the raft links between datacenters are delayed by the cluster's network). The
 * client is given the nodes' real addresses and learns the members' real addresses from the
 * cluster; its channel factory sends every one of them through the site's proxy.
 */
final class SiteLinks implements AutoCloseable {
    private final String site;
    /** Real client address -> the proxy this site reaches it through. */
    private final Map<String, LinkProxy> proxies = new TreeMap<>();
    private final Map<Long, LinkProxy> byNode = new TreeMap<>();

    SiteLinks(String site, ProcessCluster cluster) throws IOException {
        this.site = site;
        Topology t = cluster.topology();
        try {
            for (ServerProcess n : cluster.nodes()) {
                LinkProxy p = new LinkProxy(site + "->" + n.id, new InetSocketAddress("127.0.0.1", n.clientPort));
                proxies.put(n.clientAddress(), p);
                byNode.put(n.id, p);
                p.delay(site.equals(t.datacenterOf(n.id)) ? Duration.ZERO : t.wanOneWay());
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    String site() {
        return site;
    }

    /**
     * A client of this site: reads to its datacenter's members while one is healthy, writes to
     * the leader; hedged reads off, so a read is served where the routing sends it. An attempt
     * unanswered for {@code attemptTimeout} moves to another node: after a datacenter is cut
     * off, that is how long a client keeps waiting on the leader it knew.
     */
    KvorumClient client(Duration attemptTimeout) {
        KvorumClientBuilder b = KvorumClient.builder().localDatacenter(site).hedgeReads(false)
                .attemptTimeout(attemptTimeout)
                .endpoints(new ArrayList<>(proxies.keySet()));
        b.channelFactory(address -> {
            LinkProxy p = proxies.get(address);
            return b.channelTo(p == null ? address : "127.0.0.1:" + p.port());
        });
        return b.build();
    }

    /** This site can no longer reach {@code nodes} (their datacenter is gone), or again can. */
    void cut(Collection<Long> nodes) {
        nodes.forEach(id -> byNode.get(id).cut());
    }

    void healAll() {
        byNode.values().forEach(LinkProxy::heal);
    }

    @Override
    public void close() {
        List<LinkProxy> all = new ArrayList<>(proxies.values());
        all.forEach(LinkProxy::close);
    }
}
