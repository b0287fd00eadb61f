package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.RegisterHistory;
import io.kvorum.jepsen.history.RegisterOp;
import io.kvorum.jepsen.history.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The search against the definition, on thousands of small random histories (random values, so
 * both verdicts occur): a history is linearizable iff for some subset of its info operations
 * some order of the chosen operations respects real time (a before b when a returned strictly
 * before b was called) and the register's rules. Brute force decides that directly.
 */
class BruteForceCrossCheckTest {

    @Test
    void theSearchAgreesWithBruteForce() {
        Random r = new Random(20240601);
        int[] verdicts = new int[2];
        for (int round = 0; round < 4000; round++) {
            H h = randomHistory(r, 1 + r.nextInt(7));
            List<RegisterOp> ops = RegisterHistory.of(h.sorted());
            boolean expected = bruteForce(ops);
            CheckResult got = new RegisterChecker(Duration.ofSeconds(10), 1).check(ops);
            assertEquals(expected ? Verdict.VALID : Verdict.INVALID, got.verdict(),
                    "round " + round + ": " + ops + "\n" + got.summary());
            verdicts[expected ? 1 : 0]++;
        }
        System.out.printf("brute-force cross-check: %d linearizable, %d not%n", verdicts[1], verdicts[0]);
        assertTrue(verdicts[0] > 500 && verdicts[1] > 500, Arrays.toString(verdicts));
    }

    private static H randomHistory(Random r, int n) {
        H h = new H();
        for (int p = 0; p < n; p++) {
            long call = r.nextInt(20);
            long ret = call + r.nextInt(10);
            double d = r.nextDouble();
            Type outcome = d < 0.7 ? Type.OK : d < 0.85 ? Type.INFO : Type.FAIL;
            switch (r.nextInt(3)) {
                case 0 -> h.op(p, call, ret, outcome, "read", r.nextInt(4) == 0 ? null : (long) (1 + r.nextInt(3)));
                case 1 -> h.op(p, call, ret, outcome, "write", (long) (1 + r.nextInt(3)));
                default -> h.cas(p, call, ret, outcome, r.nextInt(4) == 0 ? null : (long) (1 + r.nextInt(3)),
                        1 + r.nextInt(3));
            }
        }
        return h;
    }

    static boolean bruteForce(List<RegisterOp> all) {
        List<RegisterOp> required = new ArrayList<>();
        List<RegisterOp> optional = new ArrayList<>();
        for (RegisterOp op : all) {
            if (op.outcome() == Type.OK) {
                required.add(op);
            } else if (op.outcome() == Type.INFO && op.f() != RegisterOp.Fn.READ) {
                optional.add(op);
            }
        }
        for (int mask = 0; mask < (1 << optional.size()); mask++) {
            List<RegisterOp> chosen = new ArrayList<>(required);
            for (int k = 0; k < optional.size(); k++) {
                if ((mask & (1 << k)) != 0) {
                    chosen.add(optional.get(k));
                }
            }
            if (order(chosen, new boolean[chosen.size()], 0, null)) {
                return true;
            }
        }
        return false;
    }

    private static boolean order(List<RegisterOp> ops, boolean[] used, int placed, Long state) {
        if (placed == ops.size()) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i] || !minimal(ops, used, i)) {
                continue;
            }
            RegisterOp op = ops.get(i);
            Long next;
            switch (op.f()) {
                case READ -> {
                    if (!Objects.equals(state, op.value())) {
                        continue;
                    }
                    next = state;
                }
                case WRITE -> next = op.value();
                default -> {
                    if (!Objects.equals(state, op.expected())) {
                        continue;
                    }
                    next = op.value();
                }
            }
            used[i] = true;
            if (order(ops, used, placed + 1, next)) {
                return true;
            }
            used[i] = false;
        }
        return false;
    }

    /** No unplaced operation returned strictly before this one was called. */
    private static boolean minimal(List<RegisterOp> ops, boolean[] used, int i) {
        for (int j = 0; j < ops.size(); j++) {
            if (!used[j] && j != i && ops.get(j).ret() < ops.get(i).call()) {
                return false;
            }
        }
        return true;
    }
}
