package io.kvorum.jepsen.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NemesesTest {
    @Test
    void everyPartitionShapeIsAKindOfItsOwnNamedAsItsFaultsAreLabelled() {
        // Building a nemesis only records the cluster; nothing is touched until a fault starts.
        List<String> shapesOfPartition = PartitionNemesis.all(null).stream().map(Nemesis::name).toList();
        assertEquals(shapesOfPartition, Nemeses.PARTITION_SHAPES);
        for (String shape : Nemeses.PARTITION_SHAPES) {
            assertTrue(Nemeses.KINDS.contains(shape), shape);
            List<Nemesis> built = Nemeses.of(shape, null, null);
            assertEquals(1, built.size(), shape);
            assertEquals(shape, built.get(0).name());
        }
    }

    @Test
    void aShapeAloneIsNotThePartitionKindWithAllShapes() {
        assertEquals(List.of("partition", "partition-bridge"), Nemeses.parse("partition-bridge,partition"));
        assertEquals("partition", Nemeses.of("partition", null, null).get(0).name());
    }

    @Test
    void anUnknownShapeIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nemeses.parse("partition-star"));
        assertTrue(e.getMessage().contains("\"partition-star\""), e.getMessage());
    }
}
