package io.customeranalytics.common.schema;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The ranges of stored values (docs/api.md, "Events API", value ranges): every value the Events API accepts is
 * one that every endpoint can aggregate. A price up to 1e9 times a quantity up to 1e6 is at most 1e15 per event,
 * so even 2^53 events sum far below the double range; lifetime values stay within ±1e12 for the same reason.
 */
public final class ValueRanges {

    /** The greatest price of an event. */
    public static final double MAX_PRICE = 1e9;
    /** The greatest quantity of an event. */
    public static final int MAX_QUANTITY = 1_000_000;
    /** The greatest absolute lifetime value of a profile. */
    public static final double MAX_LIFETIME_VALUE = 1e12;

    /** Stored DateTime values (event times, logins): the Unix era up to the end of 2099, in UTC. */
    public static final OffsetDateTime FIRST_DATE_TIME = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    public static final OffsetDateTime DATE_TIME_UNTIL = OffsetDateTime.of(2100, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    /** Stored Date values (signup and segment dates). */
    public static final LocalDate FIRST_DATE = LocalDate.of(1900, 1, 1);
    public static final LocalDate LAST_DATE = LocalDate.of(2099, 12, 31);

    private ValueRanges() {
    }
}
