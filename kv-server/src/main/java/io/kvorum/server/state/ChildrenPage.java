package io.kvorum.server.state;

import io.kvorum.proto.v1.Child;
import java.util.List;

/**
 * One page of a node's children, sorted by name.
 *
 * @param nextAfter the last name of this page when more follow, else null
 */
public record ChildrenPage(List<Child> children, String nextAfter, long revision) {
}
