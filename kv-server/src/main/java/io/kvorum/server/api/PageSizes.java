package io.kvorum.server.api;

/**
 * How many children one page of a listing holds (the server flags {@code --default-page-size}
 * and {@code --max-page-size}): a request asking for 0 gets {@code defaultSize}, one asking
 * for more than {@code maxSize} gets {@code maxSize}. Read-side only: nodes may differ.
 */
public record PageSizes(int defaultSize, int maxSize) {
    public PageSizes {
        if (defaultSize < 1 || maxSize < defaultSize) {
            throw new IllegalArgumentException("page sizes need 1 <= default <= max, not default " + defaultSize
                    + " and max " + maxSize);
        }
    }

    /** 1,000 children by default, 10,000 at most. */
    public static PageSizes defaults() {
        return new PageSizes(1_000, 10_000);
    }

    /** The page size to serve for a request that asked for {@code requested} (0: the default). */
    public int resolve(int requested) {
        return requested <= 0 ? defaultSize : Math.min(requested, maxSize);
    }
}
