package io.kvorum.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromMinToMaxAndStartsOverAfterASuccess() {
        Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ms.add(TimeUnit.NANOSECONDS.toMillis(b.nextDelayNanos()));
        }
        assertEquals(List.of(50L, 100L, 200L, 400L, 800L, 1000L, 1000L), ms);
        b.reset();
        assertEquals(50, TimeUnit.NANOSECONDS.toMillis(b.nextDelayNanos()));
    }
}
