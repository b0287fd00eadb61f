package io.kvorum.jepsen.run;

import io.kvorum.jepsen.checker.CheckResult;
import io.kvorum.jepsen.checker.Verdict;
import io.kvorum.jepsen.nemesis.FaultWindow;
import io.kvorum.jepsen.report.FaultThroughput;
import java.nio.file.Path;
import java.util.List;

/**
 * What a run produced.
 *
 * @param operations    operations invoked (final reads included)
 * @param faults        fault windows the schedule recorded (failed attempts included)
 * @param throughput    the share of the fault-free throughput kept during each fault
 * @param checkMillis   time the checker took
 * @param errors      problems the run met (a fault that failed half-way, a heal that did not, a client thread that died)
 */
public record RunResult(Verdict verdict, List<CheckResult> results, long operations, List<FaultWindow> faults,
                        FaultThroughput throughput, long checkMillis, List<String> errors, Path dir) {

    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(verdict.json()).append(": ").append(operations).append(" operations, ").append(faults.size())
                .append(" faults, checked in ").append(checkMillis).append(" ms; report in ").append(dir);
        b.append("\n  ").append(throughput.summaryLine());
        for (CheckResult r : results) {
            b.append("\n  ").append(r.summary().strip().replace("\n", "\n  "));
        }
        for (String e : errors) {
            b.append("\n  error: ").append(e);
        }
        return b.toString();
    }
}
