package io.kvorum.server;

import io.kvorum.server.transport.TransportStats;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Warns when the configured election timeout is too short for the round trips the node
 * measures to its peers: across a WAN a LAN-sized timeout causes spurious elections (a follower
 * gives up on a leader whose heartbeats are only late) and slow ones (a vote round that cannot
 * finish before the next candidate times out). The rule is the one docs/multi-datacenter.md
 * gives: an election timeout of at least {@value #MIN_ROUND_TRIPS} round trips to the farthest
 * voter.
 *
 * <p>Round trips are the transport's heartbeat round trips, measured on the leader. For each
 * peer the check takes the median of its first {@value #SAMPLES} (one slow answer is no
 * reason to warn) and warns at most once per peer; so the warning comes soon after the node
 * first leads, normally right after it starts. Called on transport threads.
 */
final class ElectionTimingCheck implements TransportStats.HeartbeatRttListener {
    static final int SAMPLES = 20;
    static final int MIN_ROUND_TRIPS = 5;

    private final long electionMillis;
    private final Consumer<String> warn;
    private final Map<Long, long[]> samples = new HashMap<>();
    private final Map<Long, Integer> counts = new HashMap<>();

    ElectionTimingCheck(long electionMillis, Consumer<String> warn) {
        this.electionMillis = electionMillis;
        this.warn = warn;
    }

    @Override
    public void observed(long peer, long nanos) {
        String message = null;
        synchronized (this) {
            int n = counts.getOrDefault(peer, 0);
            if (n >= SAMPLES) {
                return; // this peer was judged already
            }
            long[] s = samples.computeIfAbsent(peer, p -> new long[SAMPLES]);
            s[n] = nanos;
            counts.put(peer, n + 1);
            if (n + 1 == SAMPLES) {
                long[] sorted = s.clone();
                Arrays.sort(sorted);
                double medianMillis = sorted[SAMPLES / 2] / 1e6;
                samples.remove(peer);
                if (electionMillis < MIN_ROUND_TRIPS * medianMillis) {
                    message = String.format(Locale.ROOT, "the election timeout (--election-ms %d) is under %d round "
                                    + "trips to peer %d (median heartbeat round trip %.1f ms over %d heartbeats): expect "
                                    + "spurious and slow elections; use --election-ms of at least %d and --heartbeat-ms "
                                    + "of about one round trip (docs/multi-datacenter.md)", electionMillis,
                            MIN_ROUND_TRIPS, peer, medianMillis, SAMPLES, (long) Math.ceil(MIN_ROUND_TRIPS * medianMillis));
                }
            }
        }
        if (message != null) {
            warn.accept(message);
        }
    }
}
