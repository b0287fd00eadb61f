package io.kvorum.jepsen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.checker.CheckResult;
import io.kvorum.jepsen.checker.RegisterChecker;
import io.kvorum.jepsen.checker.RegisterSimulator;
import io.kvorum.jepsen.checker.Verdict;
import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Json;
import io.kvorum.jepsen.history.RegisterHistory;
import io.kvorum.jepsen.nemesis.FaultWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report rendered from a simulated history and a made-up fault schedule. */
class ReportWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesEveryPartOfTheReport() throws Exception {
        List<Event> history = new RegisterSimulator(5, 3000, 5, 5, 0.02).events();
        long end = history.get(history.size() - 1).time();
        List<FaultWindow> faults = List.of(
                new FaultWindow("partition-leader", "isolate 2 {1=[2], 2=[1, 3], 3=[2]}", end / 5, end * 2 / 5),
                new FaultWindow("kill-one", "SIGKILL [3]", end * 3 / 5, end * 4 / 5));
        CheckResult register = new RegisterChecker(Duration.ofSeconds(30)).check(RegisterHistory.of(history));
        // -Dreport.dir=PATH keeps the report to look at; by default it goes with the temp dir.
        String keep = System.getProperty("report.dir", "");
        Path run = keep.isEmpty() ? dir.resolve("run") : Path.of(keep);

        FaultThroughput t = ReportWriter.write(run, "register / partition (synthetic)", history, List.of(register),
                faults, end, Map.of("workload", "register", "nemesis", "mixed", "seed", 5L));

        assertEquals(Verdict.VALID, register.verdict());
        assertEquals(2, t.faults().size());
        for (String f : List.of("history.jsonl", "faults.json", "verdicts/register.json", "results.json",
                "timeline.html", "latency.svg", "throughput.svg", "index.html")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(history, io.kvorum.jepsen.history.HistoryReader.read(run.resolve("history.jsonl")).stream()
                .map(e -> new Event(0, e.process(), e.type(), e.f(), e.key(), e.value(), e.time(), e.error())).toList(),
                "the history round-trips");
        Map<?, ?> results = (Map<?, ?>) Json.parse(Files.readString(run.resolve("results.json")));
        assertEquals("valid", results.get("verdict"));
        assertEquals(2, ((List<?>) ((Map<?, ?>) results.get("throughput")).get("faults")).size(),
                "results.json carries each fault's throughput");
        assertTrue(Files.readString(run.resolve("index.html")).contains("share of fault-free"));
        assertEquals(2, ((List<?>) Json.parse(Files.readString(run.resolve("faults.json")))).size());
        Map<?, ?> verdict = (Map<?, ?>) Json.parse(Files.readString(run.resolve("verdicts/register.json")));
        assertEquals("valid", verdict.get("verdict"));
        for (String svg : List.of("latency.svg", "throughput.svg")) {
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(run.resolve(svg).toFile()); // well-formed
            String text = Files.readString(run.resolve(svg));
            assertTrue(text.contains("partition-leader") && text.contains("kill-one"), svg + " marks the faults");
        }
        String timeline = Files.readString(run.resolve("timeline.html"));
        assertTrue(timeline.contains("isolate 2"), "the timeline shades the faults");
        assertTrue(timeline.contains("class=\"op info\""), "and shows indeterminate operations");
        System.out.println("report written to " + run);
    }
}
