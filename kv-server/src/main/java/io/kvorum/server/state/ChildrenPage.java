package io.kvorum.server.state;

import io.kvorum.proto.v1.Child;
import java.util.List;

/**
 * One page of a node's children, sorted by name.
 *
 * @param children  the page's children, in name order; each with its stat when asked for
 * @param nextAfter the last name of this page when more follow (pass it as {@code after} for
 *                  the next page), else null
 * @param revision  the page reflects at least this revision
 */
public record ChildrenPage(List<Child> children, String nextAfter, long revision) {
}
