package io.kvorum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.proto.v1.Member;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Routing by the datacenters the servers announce, and how the builder picks the policy. */
class DatacenterLabelsRoutingTest {
    private static Member member(long id, String address, String datacenter) {
        return Member.newBuilder().setId(id).setClientAddress(address).setDatacenter(datacenter).build();
    }

    private static Set<String> picks(EndpointRegistry r, int n) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(r.pick(null).address());
        }
        return out;
    }

    @Test
    void preferLocalUsesTheAnnouncedDatacentersOverConfiguredOnes() {
        EndpointRegistry r = new EndpointRegistry(List.of(Endpoint.of("h1:1").inDatacenter("dc2")),
                EndpointPolicy.PREFER_LOCAL, "dc2", address -> null,
                new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10)), null, null);
        assertEquals(Set.of("h1:1"), picks(r, 6), "before the member list: the configured label");

        r.members(List.of(member(1, "h1:1", "dc1"), member(2, "h2:1", "dc2"), member(3, "h3:1", "dc2"),
                member(4, "h4:1", "")), 1);
        assertEquals(Set.of("h2:1", "h3:1"), picks(r, 6), "the servers know best where they run");
        assertEquals("h1:1", r.pickLeaderFirst(null).address(), "writes go to the leader, wherever it is");

        r.routable().stream().filter(e -> !e.address().equals("h1:1") && "dc2".equals(e.datacenter()))
                .forEach(EndpointState::failed);
        assertEquals(Set.of("h1:1", "h4:1"), picks(r, 6), "no healthy local member: the others serve");
    }

    @Test
    void aLocalDatacenterSelectsPreferLocalUnlessAnotherPolicyWasChosen() {
        assertEquals(EndpointPolicy.PREFER_LOCAL,
                KvorumClient.builder().endpoints("h1:1").localDatacenter("dc1").config().policy());
        assertEquals(EndpointPolicy.ROUND_ROBIN, KvorumClient.builder().endpoints("h1:1")
                .endpointPolicy(EndpointPolicy.ROUND_ROBIN).localDatacenter("dc1").config().policy());
        assertEquals(EndpointPolicy.ROUND_ROBIN, KvorumClient.builder().endpoints("h1:1").config().policy());
        assertThrows(IllegalArgumentException.class, () -> KvorumClient.builder().endpoints("h1:1")
                .endpointPolicy(EndpointPolicy.PREFER_LOCAL).config());
    }
}
