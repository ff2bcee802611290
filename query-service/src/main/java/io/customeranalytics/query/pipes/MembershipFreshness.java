package io.customeranalytics.query.pipes;

import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.pipes.PipeSql;
import io.customeranalytics.common.segments.SegmentsConfig;

/** What the segment endpoints share to refuse membership older than the staleness bound. */
final class MembershipFreshness {

    /** The first column of a freshness check: the oldest refresh time still allowed, as {@code oldest_allowed}. */
    private static final String OLDEST_ALLOWED = "SELECT now() - make_interval(secs => ?) AS oldest_allowed,";

    private MembershipFreshness() {
    }

    /** A check query that starts with {@code oldest_allowed}; the caller appends its other columns. */
    static PipeSql check(SegmentsConfig config) {
        return new PipeSql("").bind(OLDEST_ALLOWED, bound(config));
    }

    static double bound(SegmentsConfig config) {
        return config.stalenessBound().toSeconds();
    }

    /** The 503 for data older than the bound; {@code what} names it ("the membership of segment 'X'"). */
    static ApiException stale(String what, SegmentsConfig config) {
        return stale(what, config, null);
    }

    /**
     * The same, with why its refresh fails when segmentation-service recorded it ({@code failure}, e.g.
     * "segment 'X' failed at 2026-12-01 10:00:00: value out of range: overflow"), else the question whether
     * segmentation-service is running.
     */
    static ApiException stale(String what, SegmentsConfig config, String failure) {
        return ApiException.stale(what + " is older than the " + config.stalenessBound().toSeconds()
                + " s staleness bound; " + (failure == null
                ? "segmentation-service keeps it up to date, is it running?"
                : "its refresh fails: " + failure));
    }
}
