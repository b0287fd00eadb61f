package io.kvorum.client.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registration encoding: JSON any language can read, strict where it matters. */
class ServiceInstanceTest {
    @Test
    void roundTripsThroughJson() {
        ServiceInstance s = ServiceInstance.of("orders", "10.0.0.5", 8080).withWeight(7).withTags("v2", "can\"ary")
                .withMetadata(Map.of("zone", "eu-1", "note", "line\nbreak"));
        ServiceInstance back = ServiceInstance.fromJson(s.toJson());
        assertEquals(s, back);
        assertEquals("10.0.0.5:8080", back.id());
    }

    @Test
    void theEncodingIsPlainJson() {
        String json = new String(ServiceInstance.of("a", "h", 1).toJson(), StandardCharsets.UTF_8);
        assertEquals("{\"name\":\"a\",\"id\":\"h:1\",\"address\":\"h\",\"port\":1,\"weight\":1,\"tags\":[],"
                + "\"metadata\":{}}", json);
    }

    @Test
    void readersDefaultMissingOptionalFieldsAndIgnoreUnknownOnes() {
        String json = "{ \"name\": \"a\", \"id\": \"x\", \"address\": \"h\", \"port\": 80, \"future\": [1, 2.5, null,"
                + " {\"k\": true}] }";
        ServiceInstance s = ServiceInstance.fromJson(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, s.weight());
        assertEquals(List.of(), s.tags());
    }

    @Test
    void malformedRegistrationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ServiceInstance.fromJson("{".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> ServiceInstance.fromJson("[]".getBytes()));
        assertThrows(IllegalArgumentException.class,
                () -> ServiceInstance.fromJson("{\"name\":\"a\",\"id\":\"x\",\"address\":\"h\"}".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> ServiceInstance.of("a/b", "h", 1));
        assertThrows(IllegalArgumentException.class, () -> ServiceInstance.of("a", "h", 1).withWeight(0));
    }

    @Test
    void registrationsWrittenBeforeTheMoveToGsonStillReadAndAreWrittenTheSame() {
        // Bytes the hand-written codec of earlier releases stored (quotes, a newline, a control
        // character, non-ASCII and HTML-ish characters all escaped its way).
        String stored = "{\"name\":\"orders\",\"id\":\"a<b>&c\",\"address\":\"h\",\"port\":8080,\"weight\":7,"
                + "\"tags\":[\"can\\\"ary\"],\"metadata\":{\"note\":\"line\\nbreak\\u0001 \u00e9='x'\"}}";
        ServiceInstance s = ServiceInstance.fromJson(stored.getBytes(StandardCharsets.UTF_8));
        assertEquals(new ServiceInstance("orders", "a<b>&c", "h", 8080, 7, List.of("can\"ary"),
                Map.of("note", "line\nbreak\u0001 \u00e9='x'")), s);
        assertEquals(stored, new String(s.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void trailingTextAndLenientJsonAreMalformed() {
        assertThrows(IllegalArgumentException.class, () -> ServiceInstance.fromJson(
                "{\"name\":\"a\",\"id\":\"x\",\"address\":\"h\",\"port\":1} x".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> ServiceInstance.fromJson(
                "{name:'a',id:'x',address:'h',port:1}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void checksRoundTripWithTheCatalogsDefaultIdsAndStartingStatuses() {
        ServiceInstance s = ServiceInstance.of("api", "h", 80).withDatacenter("ams").withChecks(
                ServiceCheck.http("http://h/health", Duration.ofSeconds(5)),
                ServiceCheck.http("http://h/ready", Duration.ofSeconds(5)).withDeregisterAfter(Duration.ofMinutes(1)),
                ServiceCheck.tcp("h:6379", Duration.ofSeconds(10)).withId("redis"),
                ServiceCheck.ttl(Duration.ofSeconds(30)));
        assertEquals(List.of("http-1", "http-2", "redis", "ttl"), s.checks().stream().map(ServiceCheck::id).toList());
        ServiceInstance back = ServiceInstance.fromJson(s.toJson());
        assertEquals(s, back);
        assertEquals("ams", back.datacenter());

        ServiceHealth h = ServiceHealth.fromJson(s.toJson());
        assertEquals(HealthStatus.CRITICAL, h.status(), "nothing checked or reported yet");
        assertEquals("not checked yet", h.checks().get(0).output());
        assertEquals(false, ServiceInstance.isPassing(s.toJson()));
        ServiceHealth reported = ServiceHealth.fromJson(ServiceInstance.of("b", "h", 1)
                .withChecks(ServiceCheck.ttl(Duration.ofSeconds(30))).toJson(42, 1000));
        assertEquals(HealthStatus.PASSING, reported.status(), "a TTL check held by a session starts passing");
        assertEquals(1000, reported.checks().get(0).sinceMillis());
    }

    @Test
    void anInstanceIsAsHealthyAsItsWorstCheck() {
        String entry = "{\"name\":\"a\",\"id\":\"x\",\"address\":\"h\",\"port\":1,\"status\":\"passing\","
                + "\"checks\":[{\"id\":\"ttl\",\"type\":\"ttl\",\"ttlMillis\":30000,\"deregisterAfterMillis\":0,"
                + "\"status\":\"passing\"},{\"id\":\"t2\",\"type\":\"ttl\",\"ttlMillis\":30000,"
                + "\"deregisterAfterMillis\":0,\"status\":\"warning\",\"output\":\"slow\"}]}";
        ServiceHealth h = ServiceHealth.fromJson(entry.getBytes(StandardCharsets.UTF_8));
        assertEquals(HealthStatus.WARNING, h.status(), "the checks decide, not a stale top-level status");
        assertEquals("slow", h.checks().get(1).output());
        assertEquals(false, ServiceInstance.isPassing(entry.getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> ServiceInstance.of("a", "h", 1).withChecks(
                ServiceCheck.ttl(Duration.ofSeconds(1)).withId("x"), ServiceCheck.ttl(Duration.ofSeconds(1)).withId("x")));
        assertThrows(IllegalArgumentException.class, () -> ServiceCheck.http("ftp://h", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> ServiceCheck.tcp("h", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> ServiceCheck.ttl(Duration.ZERO));
    }
}
