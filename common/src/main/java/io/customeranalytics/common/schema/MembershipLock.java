package io.customeranalytics.common.schema;

/**
 * The advisory lock that every transaction writing segment membership takes (segmentation-service's refresher,
 * and ingest-service when it deletes segments), so that no refresh writes members of a segment being deleted.
 */
public final class MembershipLock {

    /** The lock's key: {@code pg_advisory_xact_lock(hashtext(KEY))}. */
    public static final String KEY = "analytics.membership";

    /** Waits for the lock, up to the transaction's {@code lock_timeout}, and holds it until the transaction ends. */
    public static final String WAIT = "SELECT pg_advisory_xact_lock(hashtext('" + KEY + "'))";

    private MembershipLock() {
    }
}
