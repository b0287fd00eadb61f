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
}
