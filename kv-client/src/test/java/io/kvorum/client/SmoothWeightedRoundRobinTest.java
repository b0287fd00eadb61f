package io.kvorum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {
    private record Item(String name, int weight) {
    }

    @Test
    void tenThousandPicksFollowTheWeightsWithinFivePercent() {
        List<Item> items = List.of(new Item("a", 5), new Item("b", 3), new Item("c", 1), new Item("d", 11));
        SmoothWeightedRoundRobin<Item> wrr = new SmoothWeightedRoundRobin<>(Item::weight);
        wrr.update(items);
        Map<Item, Integer> picks = new HashMap<>();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            picks.merge(wrr.next(), 1, Integer::sum);
        }
        int total = items.stream().mapToInt(Item::weight).sum();
        for (Item item : items) {
            double expected = (double) n * item.weight() / total;
            double got = picks.getOrDefault(item, 0);
            assertTrue(Math.abs(got - expected) <= 0.05 * expected,
                    item + ": " + got + " picks, expected " + expected);
        }
    }

    @Test
    void picksOfAHeavyItemAreSpreadOutAsNginxDoes() {
        SmoothWeightedRoundRobin<Item> wrr = new SmoothWeightedRoundRobin<>(Item::weight);
        Item a = new Item("a", 5);
        Item b = new Item("b", 1);
        Item c = new Item("c", 1);
        wrr.update(List.of(a, b, c));
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            seq.append(wrr.next().name());
        }
        assertEquals("aabacaa", seq.toString());
    }

    @Test
    void ineligibleItemsSitOutAndZeroWeightsAreNeverPicked() {
        SmoothWeightedRoundRobin<Item> wrr = new SmoothWeightedRoundRobin<>(Item::weight);
        Item a = new Item("a", 2);
        Item b = new Item("b", 1);
        Item z = new Item("z", 0);
        wrr.update(List.of(a, b, z));
        for (int i = 0; i < 10; i++) {
            assertEquals(b, wrr.next(x -> x != a));
        }
        for (int i = 0; i < 30; i++) {
            assertTrue(wrr.next() != z);
        }
        assertNull(wrr.next(x -> x == z));
    }

    @Test
    void anUpdateKeepsTheRotationOfItemsThatStay() {
        SmoothWeightedRoundRobin<Item> wrr = new SmoothWeightedRoundRobin<>(Item::weight);
        Item a = new Item("a", 1);
        Item b = new Item("b", 1);
        wrr.update(List.of(a, b));
        Item first = wrr.next();
        wrr.update(List.of(a, b, new Item("c", 1)));
        assertTrue(wrr.next() != first, "the item just picked does not go again straight away");
        assertEquals(3, wrr.items().size());
    }
}
