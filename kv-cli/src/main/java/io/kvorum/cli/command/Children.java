package io.kvorum.cli.command;

import io.kvorum.client.ChildrenPage;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.RequestOptions;
import java.util.ArrayList;
import java.util.List;

/** Lists children a page at a time, so a node with very many children never needs one huge answer. */
final class Children {
    private Children() {
    }

    static List<ChildrenPage.Child> all(KvorumClient client, String path, int pageSize, boolean withStat,
                                        RequestOptions options) {
        List<ChildrenPage.Child> out = new ArrayList<>();
        String token = "";
        do {
            ChildrenPage page = client.childrenPage(path, pageSize, token, withStat, options);
            out.addAll(page.children());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /** The path of {@code name} under {@code parent}. */
    static String join(String parent, String name) {
        return parent.endsWith("/") ? parent + name : parent + "/" + name;
    }
}
