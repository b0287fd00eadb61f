package io.kvorum.cli.command;

/** Where named locks and elections live in the tree: a bare NAME goes under a fixed parent, a path is used as is. */
final class Names {
    static final String LOCKS = "/locks";
    static final String ELECTIONS = "/elections";

    private Names() {
    }

    static String path(String parent, String name) {
        if (name.startsWith("/")) {
            return name;
        }
        if (name.isEmpty() || name.contains("/")) {
            throw new io.kvorum.cli.UsageError("'" + name + "' is not a name (no '/'), nor an absolute path");
        }
        return parent + "/" + name;
    }
}
