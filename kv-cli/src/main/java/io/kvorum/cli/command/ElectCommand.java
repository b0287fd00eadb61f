package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.recipes.LeaderElection;
import io.kvorum.client.recipes.LeadershipListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum elect NAME [PROPOSAL]}: campaigns in an election and holds until interrupted,
 * printing a line each time it becomes leader and each time it loses leadership (its session
 * could not be kept alive; it then campaigns again). Interrupting it resigns.
 */
@Command(name = "elect", description = {"Campaigns to lead NAME; prints a line when elected, holds until Ctrl-C "
        + "(resigning then).",
        "If leadership is lost (the session could not be kept alive) it says so and campaigns again.",
        "Text: 'elected PROPOSAL (fencing token N)', 'lost PROPOSAL', and 'resigned PROPOSAL' when stopped as "
                + "leader. JSON lines: {event: elected|lost|resigned, election, proposal, token}.",
        "NAME is an election under " + Names.ELECTIONS + ", or an absolute path."})
public final class ElectCommand extends SessionCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The election's name or absolute path.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PROPOSAL",
            description = "What this participant stands for (e.g. its address); others see it as the leader's. "
                    + "Default: HOST-PID.")
    String proposal;

    ElectCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected int run(KvorumClient client) throws Exception {
        String path = Names.path(Names.ELECTIONS, name);
        String me = proposal != null ? proposal : defaultProposal();
        announce(client, path, me);
        try (LeaderElection election = new LeaderElection(client, path, me, new LeadershipListener() {
            @Override
            public void leadershipGained(long fencingToken) {
                event("elected", path, me, fencingToken);
            }

            @Override
            public void leadershipLost() {
                // Closing the election on Ctrl-C resigns: say so, rather than "lost".
                event(cli.stop().requested() ? "resigned" : "lost", path, me, 0);
            }
        })) {
            election.start();
            cli.stop().future().join();
        }
        return ExitCodes.OK;
    }

    /** Tells who leads before this participant joins (a courtesy: the campaign goes on regardless). */
    private void announce(KvorumClient client, String path, String me) {
        String leader;
        try {
            leader = new LeaderElection(client, path, me, NO_LISTENER).currentLeader().map(l -> "the leader is " + l)
                    .orElse("no leader yet");
        } catch (io.kvorum.client.NoNodeException e) {
            leader = "no leader yet";
        } catch (RuntimeException e) {
            leader = "the leader is unknown (" + io.kvorum.cli.Errors.sentence(e) + ")";
        }
        cli.note("campaigning in " + path + " as " + me + "; " + leader + " (Ctrl-C to stop)");
    }

    private static final LeadershipListener NO_LISTENER = new LeadershipListener() {
        @Override
        public void leadershipGained(long fencingToken) {
        }

        @Override
        public void leadershipLost() {
        }
    };

    private void event(String kind, String path, String me, long token) {
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("event", kind);
            o.addProperty("election", path);
            o.addProperty("proposal", me);
            o.addProperty("token", token);
            cli.printJson(o);
        } else {
            cli.println(kind.equals("elected") ? "elected " + me + " (fencing token " + token + ")" : kind + " " + me);
        }
    }

    private static String defaultProposal() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
