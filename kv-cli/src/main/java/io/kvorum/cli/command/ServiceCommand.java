package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.cli.Cli;
import io.kvorum.cli.DurationConverter;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.UsageError;
import io.kvorum.cli.output.Table;
import io.kvorum.client.CacheEvent;
import io.kvorum.client.CacheListener;
import io.kvorum.client.KvorumCache;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeData;
import io.kvorum.client.recipes.HealthStatus;
import io.kvorum.client.recipes.ServiceCheck;
import io.kvorum.client.recipes.ServiceHealth;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvorum service register|deregister|list|health|watch}: the service catalog from the
 * shell. Entries are the catalog's ({@code /services/<name>/<id>}, the format of the HTTP API
 * and of the Java ServiceRegistry recipe), read and written through the recipe, so a service
 * registered here is seen over HTTP and by Java clients, and the other way round. The JSON
 * output of list and health is the HTTP API's {@code /v1/catalog/services} and
 * {@code /v1/health/service/{name}} body.
 */
@Command(name = "service", description = {"The service catalog: registers, lists and watches service instances "
        + "and their health.",
        "Statuses: passing, warning, critical; an instance's is the worst of its checks'. HTTP and TCP checks are run by "
                + "the cluster's leader; TTL checks are reported by the service (HTTP PUT "
                + "/v1/catalog/services/NAME/ID/checks/CHECK, or the Java recipe)."},
        subcommands = {ServiceCommand.Register.class, ServiceCommand.Deregister.class, ServiceCommand.ListServices.class,
                ServiceCommand.Health.class, ServiceCommand.Watch.class, CommandLine.HelpCommand.class})
public final class ServiceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing a subcommand: register, deregister, list, health or watch");
    }

    @Command(name = "register", description = {"Registers (or re-registers) an instance, to stay until deregistered "
            + "or removed by a check's --deregister-after.",
            "TTL checks start critical until their first report. JSON: {name, id, path, status, checks, revision}."},
            footer = {"%nExamples:", "  kvorum service register web --address 10.0.0.5 --port 8080 --tag v2 "
                    + "--http-check http://10.0.0.5:8080/health --check-interval 5s",
                    "  kvorum service register batch --id b-1 --address 10.0.0.9 --port 9000 --ttl-check 30s"})
    static final class Register extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.")
        String name;

        @Option(names = "--id", paramLabel = "ID", description = "The instance's id. Default: ADDRESS:PORT.")
        String id;

        @Option(names = "--address", required = true, paramLabel = "HOST", description = "Where clients connect.")
        String address;

        @Option(names = "--port", required = true, paramLabel = "PORT", description = "The port clients connect to.")
        int port;

        @Option(names = "--weight", paramLabel = "N", defaultValue = "1",
                description = "Its share of traffic under weighted balancing. Default: ${DEFAULT-VALUE}.")
        int weight;

        @Option(names = "--tag", paramLabel = "TAG", description = "A tag (repeatable).")
        List<String> tags = new ArrayList<>();

        @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "A metadata pair (repeatable).")
        Map<String, String> metadata = new LinkedHashMap<>();

        @Option(names = "--datacenter", paramLabel = "NAME", description = "The datacenter it runs in.")
        String datacenter;

        @Option(names = "--http-check", paramLabel = "URL", description = "An HTTP check: 2xx within the timeout "
                + "is passing (repeatable).")
        List<String> httpChecks = new ArrayList<>();

        @Option(names = "--tcp-check", paramLabel = "HOST:PORT", description = "A TCP check: a connection accepted "
                + "within the timeout is passing (repeatable).")
        List<String> tcpChecks = new ArrayList<>();

        @Option(names = "--ttl-check", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "A TTL check: critical when no report came within DURATION (repeatable).")
        List<Duration> ttlChecks = new ArrayList<>();

        @Option(names = "--check-interval", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "10s", description = "How often HTTP and TCP checks run. Default: ${DEFAULT-VALUE}.")
        Duration interval;

        @Option(names = "--check-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "2s", description = "How long an HTTP or TCP check may take. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @Option(names = "--deregister-after", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Remove the instance once a check has been critical this long. Default: never.")
        Duration deregisterAfter = Duration.ZERO;

        private ServiceInstance instance;

        Register(Cli cli) {
            super(cli);
        }

        @Override
        protected void validate() {
            List<ServiceCheck> checks = new ArrayList<>();
            try {
                httpChecks.forEach(u -> checks.add(ServiceCheck.http(u, interval).withTimeout(timeout)
                        .withDeregisterAfter(deregisterAfter)));
                tcpChecks.forEach(t -> checks.add(ServiceCheck.tcp(t, interval).withTimeout(timeout)
                        .withDeregisterAfter(deregisterAfter)));
                ttlChecks.forEach(t -> checks.add(ServiceCheck.ttl(t).withDeregisterAfter(deregisterAfter)));
                instance = new ServiceInstance(name, Objects.requireNonNullElse(id, address + ":" + port), address,
                        port, weight, tags, metadata, datacenter, checks);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }

        @Override
        protected int run(KvorumClient client) {
            ServiceRegistry registry = new ServiceRegistry(client);
            long revision = registry.put(instance);
            String path = ServiceRegistry.DEFAULT_BASE_PATH + "/" + name + "/" + instance.id();
            ServiceHealth now = ServiceHealth.fromJson(client.get(path, cli.readOptions()).data());
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.addProperty("name", name);
                o.addProperty("id", instance.id());
                o.addProperty("path", path);
                o.addProperty("status", now.status().wireName());
                JsonArray checks = new JsonArray();
                instance.checks().forEach(c -> checks.add(c.id()));
                o.add("checks", checks);
                o.addProperty("revision", revision);
                cli.printJson(o);
            } else {
                cli.println(path + " " + now.status().wireName());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "deregister", description = {"Removes an instance, whoever registered it (exit 3 when it is "
            + "not registered).", "JSON: {path, revision}."})
    static final class Deregister extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.")
        String name;

        @Parameters(index = "1", paramLabel = "ID", description = "The instance's id.")
        String id;

        Deregister(Cli cli) {
            super(cli);
        }

        @Override
        protected int run(KvorumClient client) {
            long revision = new ServiceRegistry(client).deregister(name, id);
            String path = ServiceRegistry.DEFAULT_BASE_PATH + "/" + name + "/" + id;
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.addProperty("path", path);
                o.addProperty("revision", revision);
                cli.printJson(o);
            } else {
                cli.println("deregistered " + path);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = {"Lists the services: instances by status, and their tags.",
            "JSON: {services: {NAME: {instances, passing, warning, critical, tags}}} (as HTTP GET /v1/catalog/services)."})
    static final class ListServices extends ClientCommand {
        ListServices(Cli cli) {
            super(cli);
        }

        @Override
        protected int run(KvorumClient client) {
            ServiceRegistry registry = new ServiceRegistry(client);
            JsonObject services = new JsonObject();
            Table t = new Table("SERVICE", "INSTANCES", "PASSING", "WARNING", "CRITICAL", "TAGS");
            for (String name : registry.services()) {
                List<ServiceHealth> all = registry.health(name);
                Map<HealthStatus, Long> by = all.stream().collect(Collectors.groupingBy(ServiceHealth::status,
                        Collectors.counting()));
                TreeSet<String> tags = new TreeSet<>();
                all.forEach(h -> tags.addAll(h.instance().tags()));
                JsonObject s = new JsonObject();
                s.addProperty("instances", all.size());
                for (HealthStatus h : HealthStatus.values()) {
                    s.addProperty(h.wireName(), by.getOrDefault(h, 0L));
                }
                JsonArray tagArray = new JsonArray();
                tags.forEach(tagArray::add);
                s.add("tags", tagArray);
                services.add(name, s);
                t.row(name, all.size(), by.getOrDefault(HealthStatus.PASSING, 0L),
                        by.getOrDefault(HealthStatus.WARNING, 0L), by.getOrDefault(HealthStatus.CRITICAL, 0L),
                        tags.isEmpty() ? "-" : String.join(",", tags));
            }
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.add("services", services);
                cli.printJson(o);
            } else {
                t.lines().forEach(cli::println);
            }
            return ExitCodes.OK;
        }
    }

    /** The instance filters of health and watch (those of HTTP GET /v1/health/service/NAME). */
    public static final class Filters {
        @Option(names = "--passing", description = "Only passing instances.")
        boolean passing;

        @Option(names = "--status", paramLabel = "passing|warning|critical", description = "Only instances with "
                + "this status.")
        String status;

        @Option(names = "--tag", paramLabel = "TAG", description = "Only instances with this tag.")
        String tag;

        @Option(names = "--datacenter", paramLabel = "NAME", description = "Only instances in this datacenter.")
        String datacenter;

        HealthStatus wanted() {
            try {
                return status == null ? null : HealthStatus.ofWireName(status);
            } catch (IllegalArgumentException e) {
                throw new UsageError("--status: " + e.getMessage());
            }
        }

        boolean keeps(ServiceHealth h) {
            HealthStatus w = wanted();
            return (!passing || h.status() == HealthStatus.PASSING) && (w == null || h.status() == w)
                    && (tag == null || h.instance().tags().contains(tag))
                    && (datacenter == null || datacenter.equals(h.instance().datacenter()));
        }
    }

    /** An entry as listed: the stored JSON plus the instance's status, as the HTTP API answers. */
    private static JsonObject listed(byte[] data, ServiceHealth h) {
        JsonObject o = JsonParser.parseString(new String(data, StandardCharsets.UTF_8)).getAsJsonObject();
        o.addProperty("status", h.status().wireName());
        return o;
    }

    /** The instances of one service that pass the filters, with their stored JSON, sorted by id. */
    private static List<Map.Entry<ServiceHealth, byte[]>> filtered(List<NodeData> entries, Filters filters) {
        List<Map.Entry<ServiceHealth, byte[]>> out = new ArrayList<>();
        for (NodeData d : entries) {
            try {
                ServiceHealth h = ServiceHealth.fromJson(d.data());
                if (filters.keeps(h)) {
                    out.add(Map.entry(h, d.data()));
                }
            } catch (IllegalArgumentException notARegistration) {
                // listed by no one
            }
        }
        out.sort((a, b) -> a.getKey().instance().id().compareTo(b.getKey().instance().id()));
        return out;
    }

    private static void print(Cli cli, String name, List<Map.Entry<ServiceHealth, byte[]>> instances, long revision) {
        if (cli.json()) {
            JsonArray list = new JsonArray();
            instances.forEach(e -> list.add(listed(e.getValue(), e.getKey())));
            JsonObject o = new JsonObject();
            o.addProperty("service", name);
            o.add("instances", list);
            o.addProperty("revision", revision);
            cli.printJson(o);
            return;
        }
        Table t = new Table("ID", "STATUS", "ADDRESS", "PORT", "CHECKS");
        for (var e : instances) {
            ServiceHealth h = e.getKey();
            String checks = h.checks().stream().map(c -> c.id() + "=" + c.status().wireName()
                    + (c.output().isEmpty() ? "" : "(" + c.output() + ")")).collect(Collectors.joining(" "));
            t.row(h.instance().id(), h.status().wireName(), h.instance().address(), h.instance().port(),
                    checks.isEmpty() ? "-" : checks);
        }
        t.lines().forEach(cli::println);
    }

    @Command(name = "health", description = {"Lists a service's instances with their health (none: an empty list).",
            "Text: ID STATUS ADDRESS PORT CHECKS (each check as id=status(output)).",
            "JSON: {service, instances: [entry with status], revision} (as HTTP GET /v1/health/service/NAME)."})
    static final class Health extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.")
        String name;

        @CommandLine.Mixin
        Filters filters = new Filters();

        Health(Cli cli) {
            super(cli);
        }

        @Override
        protected void validate() {
            filters.wanted();
        }

        @Override
        protected int run(KvorumClient client) {
            String servicePath = ServiceRegistry.DEFAULT_BASE_PATH + "/" + name;
            List<NodeData> entries = new ArrayList<>();
            try {
                for (var child : Children.all(client, servicePath, 1000, false, cli.readOptions())) {
                    try {
                        entries.add(client.get(servicePath + "/" + child.name(), cli.readOptions()));
                    } catch (io.kvorum.client.NoNodeException gone) {
                        // deregistered meanwhile
                    }
                }
            } catch (io.kvorum.client.NoNodeException none) {
                // no such service: no instances
            }
            print(cli, name, filtered(entries, filters), client.lastSeenRevision());
            return ExitCodes.OK;
        }
    }

    @Command(name = "watch", description = {"Prints a service's instances with their health now and each time they "
            + "change (registered, deregistered, a status or note changed), until Ctrl-C.",
            "Output as health's, once per change; JSON: one object per line."})
    static final class Watch extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.")
        String name;

        @CommandLine.Mixin
        Filters filters = new Filters();

        @Option(names = "--count", paramLabel = "N", defaultValue = "0",
                description = "Exit after printing N listings (0, the default: run until interrupted).")
        long count;

        Watch(Cli cli) {
            super(cli);
        }

        @Override
        protected void validate() {
            filters.wanted();
            if (count < 0) {
                throw new UsageError("--count must not be negative");
            }
        }

        @Override
        protected KvorumClient connect() {
            return cli.connectUntilStopped();
        }

        @Override
        protected int run(KvorumClient client) throws Exception {
            String servicePath = ServiceRegistry.DEFAULT_BASE_PATH + "/" + name;
            CompletableFuture<Void> ended = new CompletableFuture<>();
            Object lock = new Object();
            long[] printed = {0};
            List<Object> last = new ArrayList<>();
            try (KvorumCache cache = client.treeCache(servicePath)) {
                Runnable show = () -> {
                    synchronized (lock) {
                        if (ended.isDone() || !cache.isInitialized()) {
                            return;
                        }
                        var now = filtered(cache.children(servicePath), filters);
                        List<Object> shown = new ArrayList<>(now.stream().map(Map.Entry::getKey).toList());
                        if (printed[0] > 0 && shown.equals(last)) {
                            return; // a change this listing does not show (e.g. a filtered-out instance)
                        }
                        last.clear();
                        last.addAll(shown);
                        print(cli, name, now, cache.revision());
                        if (++printed[0] == count) {
                            ended.complete(null);
                        }
                    }
                };
                cache.addListener(new CacheListener() {
                    @Override
                    public void changed(CacheEvent event) {
                        show.run();
                    }

                    @Override
                    public void initialized() {
                        show.run();
                    }
                });
                cache.start();
                show.run();
                cli.note("watching service " + name + " (Ctrl-C to stop)");
                cli.stop().awaitStopOr(ended);
            }
            return ExitCodes.OK;
        }
    }
}
