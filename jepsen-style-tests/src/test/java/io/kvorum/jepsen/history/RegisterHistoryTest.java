package io.kvorum.jepsen.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strict parser: every kind of bad input is refused with its line and the problem. */
class RegisterHistoryTest {
    private static final String W0 = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1200}";
    private static final String W0_OK = "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1300}";

    @Test
    void readsTheDocumentedFormat() {
        List<RegisterOp> ops = RegisterHistory.parse(String.join("\n", W0,
                "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k1\",\"value\":null,\"time\":1250}",
                W0_OK,
                "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k1\",\"value\":3,\"time\":1400}",
                "",
                "{\"process\":2,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k2\",\"value\":[null,4],\"time\":1500}",
                "{\"process\":2,\"type\":\"info\",\"f\":\"cas\",\"key\":\"k2\",\"value\":[null,4],\"time\":1600,\"error\":\"timeout\"}",
                "{\"process\":3,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":9,\"time\":1700}"));
        assertEquals(4, ops.size());
        assertEquals(new RegisterOp(0, RegisterOp.Fn.WRITE, "k1", 3L, null, Type.OK, 1200, 1300, 1), ops.get(0));
        assertEquals(new RegisterOp(1, RegisterOp.Fn.READ, "k1", 3L, null, Type.OK, 1250, 1400, 2), ops.get(1));
        assertEquals(new RegisterOp(2, RegisterOp.Fn.CAS, "k2", 4L, null, Type.INFO, 1500, Long.MAX_VALUE, 6), ops.get(2));
        assertEquals(Type.INFO, ops.get(3).outcome(), "still open at the end: indeterminate");
    }

    @Test
    void eventsRoundTripThroughTheirJson() {
        Event e = new Event(1, 7, Type.OK, "cas", "k\"1", java.util.Arrays.asList(null, 5L), 99, "x\ny");
        assertEquals(e, HistoryReader.parseLine(1, e.toJson()));
    }

    static void bad(int line, String problem, String... lines) {
        HistoryException e = assertThrows(HistoryException.class, () -> RegisterHistory.parse(String.join("\n", lines)));
        assertEquals(line, e.line, e.getMessage());
        assertTrue(e.problem.contains(problem), "expected \"" + problem + "\" in: " + e.getMessage());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1200 | malformed JSON",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1200}} | malformed JSON",
            "[1,2] | expected a JSON object",
            "{\"process\":0,\"type\":\"start\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1} | unknown type \"start\"",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"k1\",\"value\":3,\"time\":1} | unknown f \"append\"",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3} | missing field \"time\"",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":3,\"time\":1} | missing field \"key\"",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1,\"node\":2} | unknown field \"node\"",
            "{\"process\":-1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1} | \"process\" must be a non-negative integer",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1.5} | \"time\" must be a non-negative integer",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":7,\"value\":3,\"time\":1} | \"key\" must be a string",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":null,\"time\":1} | a write's value must be an integer",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":\"3\",\"time\":1} | a write's value must be an integer",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k1\",\"value\":3,\"time\":1} | a read's invoke value must be null",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k1\",\"value\":[1],\"time\":1} | a cas value must be [expected, new]",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k1\",\"value\":[1,null],\"time\":1} | a cas value must be [expected, new]",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k1\",\"value\":3,\"time\":1} | a cas value must be [expected, new]",
            "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1} | no open invocation",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":99999999999999999999,\"time\":1} | does not fit in 64 bits",
            "{\"process\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":3,\"time\":1} | appears twice",
    })
    void aBadFirstLine(String line, String problem) {
        bad(1, problem, line);
    }

    @Test
    void aSecondInvokeWhileOneIsOpen() {
        bad(2, "still open", W0, W0.replace("1200", "1250"));
    }

    @Test
    void aProcessInvokingAfterInfo() {
        bad(3, "after an info completion", W0, W0_OK.replace("\"ok\"", "\"info\""), W0.replace("1200", "1400"));
    }

    @Test
    void aCompletionWithAnotherF() {
        bad(2, "does not match the invocation's \"write\"",
                W0, "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k1\",\"value\":3,\"time\":1300}");
    }

    @Test
    void aCompletionOnAnotherKey() {
        bad(2, "completion key", W0, W0_OK.replace("k1", "k2"));
    }

    @Test
    void aWriteCompletingWithAnotherValue() {
        bad(2, "differs from its invocation's 3", W0, W0_OK.replace("\"value\":3", "\"value\":4"));
    }

    @Test
    void anOkReadWithAnArray() {
        bad(2, "an ok read's value must be an integer or null",
                "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k1\",\"value\":null,\"time\":1}",
                "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k1\",\"value\":[3],\"time\":2}");
    }

    @Test
    void timeGoingBackwards() {
        bad(2, "before the previous line's", W0, W0_OK.replace("1300", "1100"));
    }

    @Test
    void theLineNumberCountsBlankLines() {
        bad(4, "malformed JSON", W0, "", W0_OK, "{oops");
    }
}
