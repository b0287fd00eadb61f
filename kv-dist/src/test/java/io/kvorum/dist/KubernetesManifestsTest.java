package io.kvorum.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes parses, and its ports, probes, paths and sizes agree with the server's
 * defaults, the admin endpoints, the entrypoint and the image.
 */
@Timeout(120)
class KubernetesManifestsTest {
    private static final Path DIR = Repo.file("deploy/kubernetes");
    private static final List<Map<String, Object>> OBJECTS = new ArrayList<>();

    @TempDir
    static Path kubectlHome;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() {
        Map<String, Object> kustomization = new Yaml().load(Repo.read("deploy/kubernetes/kustomization.yaml"));
        for (Object file : (List<Object>) kustomization.get("resources")) {
            for (Object doc : new Yaml().loadAll(Repo.read("deploy/kubernetes/" + file))) {
                OBJECTS.add((Map<String, Object>) doc);
            }
        }
    }

    // ---- navigation in the parsed YAML

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object cur = node;
        for (String key : path) {
            assertTrue(cur instanceof Map, "no " + key + " in " + cur);
            cur = ((Map<String, Object>) cur).get(key);
        }
        return (T) cur;
    }

    private static List<Map<String, Object>> list(Object node, String... path) {
        List<Map<String, Object>> l = at(node, path);
        return l == null ? List.of() : l;
    }

    private static Map<String, Object> object(String kind, String name) {
        return OBJECTS.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static Map<String, Object> statefulSet() {
        return object("StatefulSet", "kvorum");
    }

    private static Map<String, Object> container() {
        return list(statefulSet(), "spec", "template", "spec", "containers").get(0);
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        for (Map<String, Object> e : list(container(), "env")) {
            env.put((String) e.get("name"), e.get("value") == null ? null : String.valueOf(e.get("value")));
        }
        return env;
    }

    private static int containerPort(String name) {
        return list(container(), "ports").stream().filter(p -> name.equals(p.get("name")))
                .map(p -> (Integer) p.get("containerPort")).findFirst()
                .orElseThrow(() -> new AssertionError("no container port " + name));
    }

    // ---- the checks

    @Test
    void containerPortsAreTheServersDefaults() {
        assertEquals(ServerDefaults.port("client-listen"), containerPort("client"));
        assertEquals(ServerDefaults.port("peer-listen"), containerPort("peer"));
        assertEquals(ServerDefaults.port("admin-listen"), containerPort("admin"));
    }

    @Test
    void probesAskTheAdminPortsReadyAndHealthEndpoints() {
        String admin = Repo.read("kv-server/src/main/java/io/kvorum/server/admin/AdminServer.java");
        Map<String, String> expected = Map.of("readinessProbe", "/ready", "livenessProbe", "/health",
                "startupProbe", "/health");
        expected.forEach((probe, path) -> {
            assertEquals(path, at(container(), probe, "httpGet", "path"), probe);
            assertEquals("admin", at(container(), probe, "httpGet", "port"), probe);
            assertTrue(admin.contains("createContext(\"" + path + "\""), "the admin server serves " + path);
        });
    }

    @Test
    void servicesExposeThePortsAndTheHeadlessOneNamesThePods() {
        Map<String, Object> peers = object("Service", "kvorum-peers");
        assertEquals("None", at(peers, "spec", "clusterIP"));
        assertEquals(Boolean.TRUE, at(peers, "spec", "publishNotReadyAddresses"));
        assertEquals("kvorum-peers", at(statefulSet(), "spec", "serviceName"));
        for (Map<String, Object> service : List.of(peers, object("Service", "kvorum"))) {
            assertEquals((Object) at(statefulSet(), "spec", "selector", "matchLabels"), at(service, "spec", "selector"));
            for (Map<String, Object> p : list(service, "spec", "ports")) {
                assertEquals((Object) containerPort((String) p.get("targetPort")), p.get("port"), "service port " + p);
            }
        }
        assertEquals(List.of("client"), list(object("Service", "kvorum"), "spec", "ports").stream()
                .map(p -> p.get("name")).toList());
    }

    @Test
    void initialClusterListsEveryPodByItsStableNameAndOrdinalId() {
        int replicas = at(statefulSet(), "spec", "replicas");
        assertTrue(replicas == 3 || replicas == 5, "an odd number of members: " + replicas);
        Map<String, String> env = env();
        assertEquals("auto", env.get("KVORUM_ID"));
        String expected = IntStream.range(0, replicas)
                .mapToObj(i -> (i + 1) + "=kvorum-" + i + ".kvorum-peers:" + containerPort("peer"))
                .collect(Collectors.joining(","));
        assertEquals(expected, env.get("KVORUM_INITIAL_CLUSTER"));
        assertEquals("$(POD_NAME).kvorum-peers:" + containerPort("peer"), env.get("KVORUM_PEER_ADVERTISE"));
        assertEquals("$(POD_NAME).kvorum-peers:" + containerPort("client"), env.get("KVORUM_CLIENT_ADVERTISE"));
        assertEquals("Parallel", at(statefulSet(), "spec", "podManagementPolicy"));
        assertEquals(Boolean.FALSE, at(statefulSet(), "spec", "template", "spec", "enableServiceLinks"));
    }

    @Test
    void everyVariableIsOneTheEntrypointReads() {
        String entrypoint = Repo.read("deploy/docker/kvorum-entrypoint");
        for (String name : env().keySet()) {
            if (name.startsWith("KVORUM_")) {
                String suffix = name.substring("KVORUM_".length());
                assertTrue(entrypoint.contains(name) || entrypoint.contains(suffix + ":--"),
                        name + " is not read by the entrypoint");
            }
        }
    }

    @Test
    void theDataVolumeIsTheImagesVolumeAndItsClaimTemplate() {
        String dataDir = env().get("KVORUM_DATA_DIR");
        assertTrue(Repo.read("Dockerfile").contains("VOLUME " + dataDir), "the image's VOLUME is " + dataDir);
        Map<String, Object> mount = list(container(), "volumeMounts").stream()
                .filter(m -> dataDir.equals(m.get("mountPath"))).findFirst().orElseThrow();
        List<Map<String, Object>> claims = list(statefulSet(), "spec", "volumeClaimTemplates");
        assertEquals(List.of(mount.get("name")), claims.stream().map(c -> at(c, "metadata", "name")).toList());
        assertEquals(List.of("ReadWriteOnce"), at(claims.get(0), "spec", "accessModes"));
    }

    @Test
    void runsAsTheImagesUser() {
        String user = Repo.read("Dockerfile").lines().filter(l -> l.startsWith("USER ")).findFirst().orElseThrow()
                .substring(5).split(":")[0];
        Map<String, Object> security = at(statefulSet(), "spec", "template", "spec", "securityContext");
        assertEquals(Integer.parseInt(user), security.get("runAsUser"));
        assertEquals(Integer.parseInt(user), security.get("fsGroup"));
        assertEquals(Boolean.TRUE, security.get("runAsNonRoot"));
    }

    @Test
    void heapAndMemoryLimitAgree() {
        String request = at(container(), "resources", "requests", "memory");
        String limit = at(container(), "resources", "limits", "memory");
        assertEquals(limit, request, "memory request = limit: the JVM sizes its heap from the limit");
        long limitMib = mebibytes(limit);
        int heapPercent = Integer.parseInt(env().get("KVORUM_HEAP_PERCENT"));
        assertTrue(heapPercent <= 60, "RocksDB and gRPC need memory outside the heap: " + heapPercent + "%");
        assertTrue(limitMib * heapPercent / 100 >= 256, "heap of at least 256 MiB: " + limit + " x " + heapPercent + "%");
        assertFalse(env().containsKey("JAVA_OPTS") && env().get("JAVA_OPTS").contains("-Xmx"),
                "a fixed -Xmx would not follow the memory limit");
    }

    private static long mebibytes(String quantity) {
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.replace("Gi", "")) * 1024;
        }
        if (quantity.endsWith("Mi")) {
            return Long.parseLong(quantity.replace("Mi", ""));
        }
        throw new AssertionError("memory quantity in Mi or Gi expected: " + quantity);
    }

    @Test
    void disruptionsTakeOneMemberAtATimeAndMembersSpreadAcrossZones() {
        Map<String, Object> pdb = object("PodDisruptionBudget", "kvorum");
        assertEquals((Object) 1, at(pdb, "spec", "maxUnavailable"));
        assertEquals((Object) at(statefulSet(), "spec", "selector"), at(pdb, "spec", "selector"));
        List<String> keys = list(statefulSet(), "spec", "template", "spec", "topologySpreadConstraints").stream()
                .map(c -> (String) c.get("topologyKey")).toList();
        assertEquals(List.of("topology.kubernetes.io/zone", "kubernetes.io/hostname"), keys);
        int grace = at(statefulSet(), "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertTrue(grace >= 20, "time for a graceful stop after SIGTERM: " + grace);
    }

    @Test
    void tlsMaterialIsMountedReadOnly() {
        Map<String, Object> mount = list(container(), "volumeMounts").stream()
                .filter(m -> "tls".equals(m.get("name"))).findFirst().orElseThrow();
        assertEquals("/etc/kvorum/tls", mount.get("mountPath"));
        assertEquals(Boolean.TRUE, mount.get("readOnly"));
    }

    private static Optional<Path> kubectl() {
        for (String d : System.getenv("PATH").split(":")) {
            Path p = Path.of(d, "kubectl");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Test
    void kustomizeBuildsTheBase() throws Exception {
        Optional<Path> kubectl = kubectl();
        assumeTrue(kubectl.isPresent(), "kubectl is not installed");
        ProcessRun run = ProcessRun.run(List.of(kubectl.get().toString(), "kustomize", DIR.toString()), DIR,
                Map.of("PATH", System.getenv("PATH"), "HOME", tmpHome()), 60);
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(OBJECTS.size(), countDocuments(run.output()));
    }

    @Test
    void kubectlDryRunAcceptsTheManifests() throws Exception {
        Optional<Path> kubectl = kubectl();
        assumeTrue(kubectl.isPresent(), "kubectl is not installed");
        ProcessRun run = ProcessRun.run(List.of(kubectl.get().toString(), "create", "--dry-run=client", "-o", "name",
                "-k", DIR.toString()), DIR, Map.of("PATH", System.getenv("PATH"), "HOME", tmpHome()), 90);
        if (run.exitCode() != 0 && run.output().contains("connection refused")) {
            // kubectl's client-side dry run still asks an API server for the kinds it knows.
            abort("no Kubernetes API server reachable for kubectl --dry-run=client: " + run.lines().get(0));
        }
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(OBJECTS.size(), run.lines().size(), run.output());
    }

    private static int countDocuments(String yaml) {
        int n = 0;
        for (Object ignored : new Yaml().loadAll(yaml)) {
            n++;
        }
        return n;
    }

    /** kubectl's HOME: no kubeconfig of the machine's is used. */
    private static String tmpHome() {
        return kubectlHome.toString();
    }
}
