package io.kvorum.client.recipes;

import io.kvorum.client.ChildrenPage;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.RequestOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The queue of a lock or an election: the sequential children of its path, in the order the
 * cluster numbered them. A contender's node is named {@code <prefix><uuid>-<10 digits>}; the
 * uuid lets a contender find its own node after a create whose answer was lost, and the digits
 * (the parent's sequence) give the order.
 */
final class Contenders {
    static final String PREFIX = "c-";

    /** The sorted names and the revision the listing reflects (at least). */
    record Listing(List<String> names, long revision) {
        int indexOf(String name) {
            return names.indexOf(name);
        }
    }

    private Contenders() {
    }

    static String namePrefix(String uuid) {
        return PREFIX + uuid + "-";
    }

    /** Lists the contenders, linearizably, page by page. */
    static Listing list(KvorumClient client, String path, RequestOptions options) {
        List<String> names = new ArrayList<>();
        String token = "";
        long revision = 0;
        do {
            ChildrenPage page = client.childrenPage(path, 0, token, false, options);
            if (revision == 0) {
                revision = page.revision();
            }
            for (ChildrenPage.Child c : page.children()) {
                if (isContender(c.name())) {
                    names.add(c.name());
                }
            }
            token = page.nextPageToken();
        } while (!token.isEmpty());
        names.sort(Comparator.comparing(Contenders::sequence));
        return new Listing(List.copyOf(names), revision);
    }

    static boolean isContender(String name) {
        return name.startsWith(PREFIX) && name.length() > PREFIX.length() + 10
                && name.substring(name.length() - 10).chars().allMatch(Character::isDigit);
    }

    /** The 10-digit sequence suffix (compares like the number it is). */
    static String sequence(String name) {
        return name.substring(name.length() - 10);
    }

    static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
