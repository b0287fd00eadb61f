package io.kvorum.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.api.PageSizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerOptionsTest {
    @TempDir
    Path dir;

    @Test
    void initialClusterIsParsedInOrder() {
        assertEquals(Map.of(1L, "127.0.0.1:7380", 2L, "127.0.0.1:7390"),
                ServerOptions.parseCluster("1=127.0.0.1:7380, 2=127.0.0.1:7390"));
    }

    @Test
    void malformedInitialClusterNamesTheBadMember() {
        assertMessage("'x=1.2.3.4:5' has a non-numeric id", () -> ServerOptions.parseCluster("x=1.2.3.4:5"));
        assertMessage("'7' is not of the form id=host:port", () -> ServerOptions.parseCluster("1=a:1,7"));
        assertMessage("lists node 1 twice", () -> ServerOptions.parseCluster("1=a:1,1=b:2"));
        assertMessage("non-numeric port", () -> ServerOptions.parseCluster("1=a:b"));
        assertMessage("needs a positive id", () -> ServerOptions.parseCluster("0=a:1"));
    }

    @Test
    void addressesOutOfRangeAreRefused() {
        assertMessage("--peer-listen address 'h:70000' has port out of range",
                () -> ServerOptions.parseAddress("h:70000", "--peer-listen"));
        assertMessage("is not of the form host:port", () -> ServerOptions.parseAddress("nohost", "--client-listen"));
    }

    @Test
    void aConfigFileSuppliesFlagsAndTheCommandLineWins() throws IOException {
        Path cfg = dir.resolve("node.properties");
        Files.writeString(cfg, "id=3\ncluster-id=prod\nheartbeat-ms=250\nelection-ms=2500\n");
        KvorumServer server = new KvorumServer();
        CommandLine cli = new CommandLine(server);
        cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(cfg.toFile()));
        cli.parseArgs("--election-ms", "3000");
        assertEquals(3, server.options.id);
        assertEquals("prod", server.options.clusterId);
        assertEquals(250, server.options.heartbeatMillis);
        assertEquals(3000, server.options.electionMillis);
    }

    @Test
    void badFlagsExitWithUsageCode() {
        KvorumServer server = new KvorumServer();
        int code = new CommandLine(server).setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()))
                .execute("--id", "1", "--initial-cluster", "1=nohostport");
        assertEquals(2, code);
    }

    @Test
    void pageSizesComeFromTheirFlagsAndMustAgree() {
        PageSizes p = parsed("--default-page-size", "50", "--max-page-size", "200").options.pageSizes();
        assertEquals(50, p.resolve(0));
        assertEquals(7, p.resolve(7));
        assertEquals(200, p.resolve(5_000));
        assertEquals(PageSizes.defaults(), parsed().options.pageSizes());
        KvorumServer bad = parsed("--default-page-size", "500", "--max-page-size", "100");
        assertMessage("need 1 <= --default-page-size (500) <= --max-page-size (100)", bad.options::pageSizes);
    }

    private static KvorumServer parsed(String... args) {
        KvorumServer server = new KvorumServer();
        String[] withId = new String[args.length + 2];
        withId[0] = "--id";
        withId[1] = "1";
        System.arraycopy(args, 0, withId, 2, args.length);
        new CommandLine(server).parseArgs(withId);
        return server;
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }
}
