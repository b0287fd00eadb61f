package io.kvorum.server;

import io.kvorum.server.admin.AdminServer;
import io.kvorum.server.node.NodeConfig;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.node.StateMachine;
import io.kvorum.server.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kvorum-server}: runs one Kvorum node until SIGTERM/SIGINT. Exit codes: 0 after a
 * clean stop, 2 for bad flags, 3 when the data dir is refused (corrupt, another cluster or
 * node), 1 for anything else.
 */
@Command(name = "kvorum-server", mixinStandardHelpOptions = true, version = "kvorum-server 0.1.0",
        description = "Runs one node of a Kvorum cluster.")
public final class KvorumServer implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(KvorumServer.class);

    @Mixin
    ServerOptions options = new ServerOptions();

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new KvorumServer());
        Path config = configFileOf(args);
        if (config != null) {
            cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(config.toFile()));
        }
        System.exit(cli.execute(args));
    }

    private static Path configFileOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    @Override
    public Integer call() throws Exception {
        NodeConfig cfg;
        try {
            cfg = NodeConfig.of(options.id, options.clusterId, options.dataDirOrDefault(),
                    ServerOptions.parseAddress(options.peerListen, "--peer-listen"),
                    options.initialClusterOrSelf(), options.join, options.heartbeatMillis, options.electionMillis,
                    options.snapshotEntries);
            ServerOptions.parseAddress(options.clientListen, "--client-listen");
        } catch (IllegalArgumentException e) {
            System.err.println("kvorum-server: " + e.getMessage());
            return 2;
        }
        LOG.info("starting node {} of cluster {}: data dir {}, client {}, peer {}, admin {}, initial cluster {}, "
                        + "join {}, heartbeat {} ms, election {} ms, tick {} ms, snapshot every {} entries",
                cfg.nodeId(), cfg.clusterId(), cfg.dataDir().toAbsolutePath(), options.clientListen,
                options.peerListen, options.adminListen, cfg.initialCluster(), cfg.join(), options.heartbeatMillis,
                options.electionMillis, cfg.tickMillis(), cfg.snapshotEntries());
        RaftNode node;
        try {
            node = RaftNode.start(cfg, replicatedLogOnly());
        } catch (StorageException e) {
            LOG.error("refusing to start: {}", e.getMessage());
            System.err.println("kvorum-server: refusing to start: " + e.getMessage());
            return 3;
        }
        AdminServer admin;
        try {
            admin = new AdminServer(ServerOptions.parseAddress(options.adminListen, "--admin-listen"), node);
            admin.start();
        } catch (IOException e) {
            node.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down node {}", cfg.nodeId());
            admin.close();
            node.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * Until the coordination data model is wired in, the node replicates the log (membership,
     * leader no-ops) and applies no commands of its own.
     */
    private static StateMachine replicatedLogOnly() {
        return (index, command, batch) -> new byte[0];
    }
}
