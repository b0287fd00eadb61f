package io.kvorum.jepsen.cli;

import io.kvorum.jepsen.checker.CheckResult;
import io.kvorum.jepsen.checker.Checkers;
import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryException;
import io.kvorum.jepsen.history.HistoryReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum-jepsen check FILE --model M}. Exit codes: 0 valid (e.g. linearizable), 1 invalid
 * (the evidence is printed), 2 bad input or flags (the line and the problem), 3 unknown (the
 * search deadline passed, or the history cannot decide).
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Checks a recorded history (JSON lines) against a model.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:valid", "1:invalid (evidence printed)", "2:bad input or flags", "3:unknown (deadline passed)"})
final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The history, one JSON event per line.")
    Path file;

    @Option(names = "--model", required = true,
            description = "register, set, sequential, lock, watch or session.")
    String model;

    @Option(names = "--time-limit", defaultValue = "60",
            description = "Seconds the search may take before the verdict is unknown. Default: ${DEFAULT-VALUE}.")
    long timeLimitSeconds;

    @Option(names = "--json", description = "Print the verdict as JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        if (!Checkers.MODELS.contains(model)) {
            System.err.println("kvorum-jepsen check: unknown model \"" + model + "\" (expected one of "
                    + String.join(", ", Checkers.MODELS) + ")");
            return 2;
        }
        if (timeLimitSeconds <= 0) {
            System.err.println("kvorum-jepsen check: --time-limit must be positive");
            return 2;
        }
        CheckResult result;
        try {
            List<Event> events = HistoryReader.read(file);
            result = Checkers.check(model, events, Duration.ofSeconds(timeLimitSeconds));
        } catch (HistoryException e) {
            System.err.println("kvorum-jepsen check: " + file + ": " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("kvorum-jepsen check: cannot read " + file + ": " + e);
            return 2;
        }
        System.out.println(json ? result.toJson() : result.summary().stripTrailing());
        return result.verdict().exitCode;
    }
}
