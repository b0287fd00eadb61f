package io.kvorum.jepsen.nemesis;

import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Crashes (SIGKILL, then restart on the same data dir) or pauses (SIGSTOP, then SIGCONT) a
 * minority of nodes: a random one, the leader, or a random minority; or a majority, or all, at once.
 */
public final class ProcessNemesis implements Nemesis {
    public enum Action { KILL, PAUSE }

    /**
     * MAJORITY and ALL at once are for crash experiments: the cluster is unavailable until they
     * restart, and a node that acknowledged writes it had not made durable loses them.
     */
    public enum Target { ONE, LEADER, MINORITY, MAJORITY, ALL }

    private final ProcessCluster cluster;
    private final Action action;
    private final Target target;
    private final List<ServerProcess> victims = new ArrayList<>();

    public ProcessNemesis(ProcessCluster cluster, Action action, Target target) {
        this.cluster = cluster;
        this.action = action;
        this.target = target;
    }

    @Override
    public String name() {
        return action.name().toLowerCase() + "-" + target.name().toLowerCase();
    }

    @Override
    public synchronized String start(Random random) throws Exception {
        List<Long> ids = new ArrayList<>(cluster.ids());
        Collections.shuffle(ids, random);
        List<Long> chosen = switch (target) {
            case ONE -> ids.subList(0, 1);
            case MINORITY -> ids.subList(0, 1 + random.nextInt(Math.max(1, (ids.size() - 1) / 2)));
            case MAJORITY -> ids.subList(0, ids.size() / 2 + 1);
            case ALL -> ids;
            case LEADER -> {
                Optional<Long> leader = cluster.leader();
                yield leader.map(List::of).orElse(List.of());
            }
        };
        if (chosen.isEmpty()) {
            return null;
        }
        for (long id : chosen) {
            ServerProcess n = cluster.node(id);
            if (action == Action.KILL) {
                n.kill();
            } else {
                n.pause();
            }
            victims.add(n);
        }
        return (action == Action.KILL ? "SIGKILL " : "SIGSTOP ") + chosen;
    }

    @Override
    public synchronized void stop() throws Exception {
        for (ServerProcess n : victims) {
            if (action == Action.KILL) {
                n.start();
            } else {
                n.resume();
            }
        }
        victims.clear();
    }

    /** Whatever happened: every node running and not paused. */
    @Override
    public synchronized void healAll() throws Exception {
        victims.clear();
        for (ServerProcess n : cluster.nodes()) {
            if (!n.isRunning()) {
                n.start();
            } else if (n.isPaused()) {
                n.resume();
            }
        }
    }
}
