package io.kvorum.client;

/**
 * The outcome of a create.
 *
 * @param path the created node's path; for sequential modes, with its suffix
 * @param stat the new node's stat
 * @param revision the revision the create made
 */
public record CreateResult(String path, Stat stat, long revision) {
}
