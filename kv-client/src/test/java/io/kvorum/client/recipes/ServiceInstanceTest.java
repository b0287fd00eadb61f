package io.kvorum.client.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
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
}
