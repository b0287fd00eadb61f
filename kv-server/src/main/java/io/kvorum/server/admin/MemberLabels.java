package io.kvorum.server.admin;

/**
 * A member's labels as {@code /status} shows them (the admin layer does not read the state
 * itself: the server hands these over).
 *
 * @param datacenter the datacenter it announced; empty when none
 * @param zone       the zone it announced; empty when none
 * @param observer   whether it was added as an observer
 */
public record MemberLabels(String datacenter, String zone, boolean observer) {
}
