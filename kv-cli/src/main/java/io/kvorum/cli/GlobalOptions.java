package io.kvorum.cli;

import io.kvorum.client.ReadConsistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every subcommand accepts, before or after the subcommand's name
 * ({@code kvorum -o json get /a} and {@code kvorum get /a -o json} are the same).
 */
public final class GlobalOptions {
    /** Where the CLI connects when neither {@code --endpoints} nor {@code KVORUM_ENDPOINTS} says. */
    public static final String DEFAULT_ENDPOINTS = "127.0.0.1:7379";
    public static final String ENDPOINTS_ENV = "KVORUM_ENDPOINTS";

    /** How results are printed. */
    public enum Format {
        TEXT, JSON
    }

    @Option(names = "--endpoints", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,...]",
            description = "Cluster nodes' client addresses, comma-separated. Default: $" + ENDPOINTS_ENV
                    + ", else " + DEFAULT_ENDPOINTS + ".")
    String endpoints;

    @Option(names = "--consistency", scope = ScopeType.INHERIT, paramLabel = "linearizable|serializable",
            description = "How reads are served: linearizable (default; sees every acknowledged write) or "
                    + "serializable (the answering node's copy, possibly stale, cheaper).")
    ReadConsistency consistency = ReadConsistency.LINEARIZABLE;

    @Option(names = "--local-datacenter", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "The datacenter this client runs in: reads go to members there (as the servers' "
                    + "--datacenter says) while one is healthy; writes go to the leader. Default: none (reads spread "
                    + "over all members).")
    String localDatacenter;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "text|json",
            description = "Output format: text (default) or json (one JSON object per line; field names are stable).")
    Format output = Format.TEXT;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Deadline of each call to the cluster, retries included (e.g. 500ms, 5s). Default: 5s.")
    Duration timeout = Duration.ofSeconds(5);

    @Option(names = "--cacert", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Connect over TLS, trusting servers whose certificate chains to this PEM CA.")
    Path cacert;

    @Option(names = "--cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM client certificate to present (with --key; needs --cacert).")
    Path cert;

    @Option(names = "--key", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM private key (unencrypted PKCS#8) of --cert.")
    Path key;

    @Option(names = "--user", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Authenticate as this user. The password comes from --password-file, else $"
                    + "KVORUM_PASSWORD, else a prompt (never echoed).")
    String user;

    @Option(names = "--password-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Read the password of --user from the first line of this file.")
    Path passwordFile;

    public ReadConsistency consistency() {
        return consistency;
    }

    /** The client's datacenter, or null. */
    public String localDatacenter() {
        return localDatacenter;
    }

    public Format output() {
        return output;
    }

    public boolean json() {
        return output == Format.JSON;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The endpoints: the option, else {@code $KVORUM_ENDPOINTS} from {@code env}, else the default. */
    public List<String> endpoints(java.util.Map<String, String> env) {
        String spec = endpoints;
        if (spec == null || spec.isBlank()) {
            spec = env.get(ENDPOINTS_ENV);
        }
        if (spec == null || spec.isBlank()) {
            spec = DEFAULT_ENDPOINTS;
        }
        List<String> out = new ArrayList<>();
        for (String s : spec.split("[,\\s]+")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
