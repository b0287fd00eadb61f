package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.output.Table;
import io.kvorum.client.ClusterAdmin;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.MemberInfo;
import io.kvorum.client.Role;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvorum member list|add|promote|remove}: cluster membership. A new member joins as a
 * learner (it replicates without voting) and becomes a voter when promoted after catching up.
 * Every subcommand prints the membership that results.
 */
@Command(name = "member", description = {"Lists and changes the cluster's members.",
        "Add a node in three steps: 'member add ID PEER_ADDRESS' (a learner), start it with --join, then "
                + "'member promote ID' once it caught up.",
        "JSON: {leaderId, members: [{id, role, peerAddress, clientAddress, learner, matchIndex, active, datacenter, "
                + "zone, observer}]}."},
        subcommands = CommandLine.HelpCommand.class)
public final class MemberCommand implements Runnable {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    MemberCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing a subcommand: list, add, promote or remove");
    }

    @Command(name = "list", description = "Lists the members and who leads.")
    int list() {
        return withClient(admin -> admin.members());
    }

    @Command(name = "add", description = {"Adds a member as a learner.",
            "With --observer, as an observer: a learner meant to stay one, serving reads (e.g. in a remote "
                    + "datacenter) without a vote; 'member promote' still makes it a voter."})
    int add(@Parameters(paramLabel = "ID", description = "The new member's id (a positive number).") long id,
            @Parameters(paramLabel = "PEER_ADDRESS", description = "host:port of its peer listener.") String peer,
            @Option(names = "--observer", description = "Add it as an observer.") boolean observer) {
        return withClient(admin -> afterChange(observer ? admin.addObserver(id, peer) : admin.addMember(id, peer)));
    }

    @Command(name = "promote", description = "Makes a learner that caught up a voter (exit 5 if it has not).")
    int promote(@Parameters(paramLabel = "ID", description = "The learner's id.") long id) {
        return withClient(admin -> afterChange(admin.promoteMember(id)));
    }

    @Command(name = "remove", description = "Removes a member (exit 5 if the rest could not keep a quorum).")
    int remove(@Parameters(paramLabel = "ID", description = "The member's id.") long id) {
        return withClient(admin -> afterChange(admin.removeMember(id)));
    }

    /**
     * The membership a change answered with. Only the leader makes changes, and it answers once
     * the change is applied, so its list holds the change; a list asked of any node afterwards
     * might come from a follower that has not committed it yet.
     */
    private static ClusterAdmin.Membership afterChange(List<MemberInfo> members) {
        long leader = members.stream().filter(m -> m.role() == Role.LEADER).mapToLong(MemberInfo::id).findFirst()
                .orElse(0L);
        return new ClusterAdmin.Membership(members, leader);
    }

    private int withClient(Function<ClusterAdmin, ClusterAdmin.Membership> change) {
        try (KvorumClient client = cli.connect()) {
            print(change.apply(client.cluster()));
        }
        return ExitCodes.OK;
    }

    private void print(ClusterAdmin.Membership m) {
        List<MemberInfo> members = m.members();
        if (cli.json()) {
            JsonArray a = new JsonArray();
            for (MemberInfo i : members) {
                JsonObject o = new JsonObject();
                o.addProperty("id", i.id());
                o.addProperty("role", i.role().toString());
                o.addProperty("peerAddress", i.peerAddress());
                o.addProperty("clientAddress", i.clientAddress());
                o.addProperty("learner", i.learner());
                o.addProperty("matchIndex", i.matchIndex());
                o.addProperty("active", i.active());
                o.addProperty("datacenter", i.datacenter());
                o.addProperty("zone", i.zone());
                o.addProperty("observer", i.observer());
                a.add(o);
            }
            JsonObject o = new JsonObject();
            o.addProperty("leaderId", m.leaderId());
            o.add("members", a);
            cli.printJson(o);
            return;
        }
        Table t = new Table("ID", "ROLE", "PEER", "CLIENT", "DATACENTER", "ZONE", "VOTER", "MATCH", "ACTIVE");
        for (MemberInfo i : members) {
            t.row(i.id(), i.role(), i.peerAddress(), orDash(i.clientAddress()), orDash(i.datacenter()),
                    orDash(i.zone()), i.learner() ? "no" : "yes", i.matchIndex(), i.active() ? "yes" : "no");
        }
        t.lines().forEach(cli::println);
    }

    private static String orDash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
