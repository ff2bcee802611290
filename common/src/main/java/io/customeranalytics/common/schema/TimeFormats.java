package io.customeranalytics.common.schema;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time formats of the API (docs/api.md, "Conventions"). DateTime input: {@code YYYY-MM-DD HH:MM:SS} (UTC) or
 * ISO-8601 with {@code T}, an optional fraction and an optional {@code Z} or offset; no zone means UTC. Date input:
 * {@code YYYY-MM-DD}. Output: {@code YYYY-MM-DD HH:MM:SS} in UTC and {@code YYYY-MM-DD}.
 */
public final class TimeFormats {

    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?"
                    + "([Zz]|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
    private static final DateTimeFormatter OUTPUT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    public static final String DATE_TIME_FORMATS = "'YYYY-MM-DD HH:MM:SS' (UTC) or ISO-8601 such as"
            + " '2023-06-15T14:30:45Z'";
    public static final String DATE_FORMAT = "'YYYY-MM-DD'";

    private TimeFormats() {
    }

    /**
     * Parses a DateTime, truncated to microseconds (the precision PostgreSQL stores), in UTC.
     *
     * @throws DateTimeException with a message for the client when the text is not a valid DateTime
     */
    public static OffsetDateTime parseDateTime(String text) {
        return parseDateTime(text, false);
    }

    /**
     * An inclusive upper bound ({@code end_date}): as {@link #parseDateTime}, except that a time given to the second
     * (no fraction) covers that whole second, up to its last microsecond. Events are stored to the microsecond but
     * served to the second, and Tinybird stores DateTime to the second: {@code end_date=2023-06-15 14:30:45} must
     * include an event served as {@code 2023-06-15 14:30:45}, whatever its fraction.
     */
    public static OffsetDateTime parseEndDateTime(String text) {
        return parseDateTime(text, true);
    }

    private static OffsetDateTime parseDateTime(String text, boolean throughTheSecond) {
        Matcher m = DATE_TIME.matcher(text.strip());
        if (!m.matches()) {
            throw new DateTimeException("expected a DateTime as " + DATE_TIME_FORMATS + ", got '" + abbreviate(text)
                    + "'");
        }
        try {
            int nanos = 0;
            if (m.group(7) != null) {
                String fraction = (m.group(7) + "000000000").substring(0, 9);
                nanos = Integer.parseInt(fraction);
            }
            LocalDateTime local = LocalDateTime.of(
                    Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), nanos);
            ZoneOffset offset = m.group(8) == null ? ZoneOffset.UTC : parseOffset(m.group(8));
            OffsetDateTime time = OffsetDateTime.of(local, offset)
                    .withOffsetSameInstant(ZoneOffset.UTC)
                    .truncatedTo(ChronoUnit.MICROS);
            return throughTheSecond && m.group(7) == null ? time.plus(999_999, ChronoUnit.MICROS) : time;
        } catch (DateTimeException e) {
            throw new DateTimeException("not a valid DateTime '" + abbreviate(text) + "': " + e.getMessage());
        }
    }

    /**
     * Parses a Date.
     *
     * @throws DateTimeException with a message for the client when the text is not a valid Date
     */
    public static LocalDate parseDate(String text) {
        Matcher m = DATE.matcher(text.strip());
        if (!m.matches()) {
            throw new DateTimeException("expected a Date as " + DATE_FORMAT + ", got '" + abbreviate(text) + "'");
        }
        try {
            return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
        } catch (DateTimeException e) {
            throw new DateTimeException("not a valid Date '" + abbreviate(text) + "': " + e.getMessage());
        }
    }

    public static String format(OffsetDateTime time) {
        return OUTPUT.format(time.withOffsetSameInstant(ZoneOffset.UTC));
    }

    private static ZoneOffset parseOffset(String text) {
        if (text.equalsIgnoreCase("Z")) {
            return ZoneOffset.UTC;
        }
        int sign = text.charAt(0) == '-' ? -1 : 1;
        String digits = text.substring(1).replace(":", "");
        int hours = Integer.parseInt(digits.substring(0, 2));
        int minutes = digits.length() > 2 ? Integer.parseInt(digits.substring(2)) : 0;
        if (minutes > 59) {
            throw new DateTimeException("offset minutes out of range");
        }
        return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
    }

    public static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}
