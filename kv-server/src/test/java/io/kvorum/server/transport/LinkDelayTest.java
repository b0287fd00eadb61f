package io.kvorum.server.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The simulated WAN delay of the benchmark script: its setting, and that it keeps each peer's order. */
class LinkDelayTest {
    @Test
    void parsesPeerDelaysAndNamesABadPart() {
        assertEquals(Map.of(2L, 25L, 3L, 0L), LinkDelay.parse("2=25, 3=0"));
        assertEquals(Map.of(), LinkDelay.parse(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkDelay.parse("2=25,x=1"));
        assertTrue(e.getMessage().contains("'x=1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinkDelay.parse("2=-1"));
        assertThrows(IllegalArgumentException.class, () -> LinkDelay.parse("2"));
    }

    @Test
    void aDelayedPeersMessagesLeaveInOrderAndOthersLeaveAtOnce() {
        try (LinkDelay delay = new LinkDelay(Map.of(2L, 5L))) {
            List<Integer> sent = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                delay.send(2, () -> sent.add(n));
            }
            List<String> undelayed = new CopyOnWriteArrayList<>();
            delay.send(3, () -> undelayed.add(Thread.currentThread().getName()));
            assertEquals(List.of(Thread.currentThread().getName()), undelayed, "a peer without delay: sent inline");
            await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 200);
            assertEquals(IntStream.range(0, 200).boxed().toList(), sent);
        }
    }
}
