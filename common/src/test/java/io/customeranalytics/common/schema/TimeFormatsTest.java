package io.customeranalytics.common.schema;

import org.junit.jupiter.api.Test;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimeFormatsTest {

    private static OffsetDateTime utc(int y, int mo, int d, int h, int mi, int s, int nanos) {
        return OffsetDateTime.of(y, mo, d, h, mi, s, nanos, ZoneOffset.UTC);
    }

    @Test
    void anEndGivenToTheSecondCoversThatWholeSecondAndOneWithAFractionIsExact() {
        assertEquals(utc(2023, 6, 30, 23, 59, 59, 999_999_000), TimeFormats.parseEndDateTime("2023-06-30 23:59:59"));
        assertEquals(utc(2023, 6, 30, 21, 59, 59, 999_999_000),
                TimeFormats.parseEndDateTime("2023-06-30T23:59:59+02:00"));
        assertEquals(utc(2023, 6, 30, 23, 59, 59, 500_000_000), TimeFormats.parseEndDateTime("2023-06-30T23:59:59.5Z"));
        assertEquals(utc(2023, 6, 30, 23, 59, 0, 999_999_000), TimeFormats.parseEndDateTime("2023-06-30 23:59"));
    }

    @Test
    void readsTheTinybirdFormatAsUtc() {
        assertEquals(utc(2023, 6, 15, 14, 30, 45, 0), TimeFormats.parseDateTime("2023-06-15 14:30:45"));
    }

    @Test
    void readsIso8601WithFractionAndZoneAndConvertsToUtc() {
        assertEquals(utc(2023, 6, 15, 14, 30, 45, 123_000_000), TimeFormats.parseDateTime("2023-06-15T14:30:45.123Z"));
        assertEquals(utc(2023, 6, 15, 12, 30, 45, 0), TimeFormats.parseDateTime("2023-06-15T14:30:45+02:00"));
        assertEquals(utc(2023, 6, 15, 19, 0, 45, 0), TimeFormats.parseDateTime("2023-06-15T14:30:45-0430"));
        assertEquals(utc(2023, 6, 15, 14, 30, 0, 0), TimeFormats.parseDateTime("2023-06-15T14:30Z"));
    }

    @Test
    void keepsMicrosecondsAndDropsFinerDigits() {
        assertEquals(utc(2023, 6, 15, 14, 30, 45, 123_456_000),
                TimeFormats.parseDateTime("2023-06-15 14:30:45.123456789"));
    }

    @Test
    void rejectsOtherShapesAndImpossibleDates() {
        assertThrows(DateTimeException.class, () -> TimeFormats.parseDateTime("2023-06-15"));
        assertThrows(DateTimeException.class, () -> TimeFormats.parseDateTime("15/06/2023 14:30:45"));
        assertThrows(DateTimeException.class, () -> TimeFormats.parseDateTime("2023-02-29 10:00:00"));
        assertThrows(DateTimeException.class, () -> TimeFormats.parseDateTime("2023-06-15 24:00:00"));
        assertThrows(DateTimeException.class, () -> TimeFormats.parseDateTime("1686839445"));
    }

    @Test
    void readsDates() {
        assertEquals(LocalDate.of(2024, 2, 29), TimeFormats.parseDate("2024-02-29"));
        assertThrows(DateTimeException.class, () -> TimeFormats.parseDate("2023-02-29"));
        assertThrows(DateTimeException.class, () -> TimeFormats.parseDate("2023-06-15 00:00:00"));
    }

    @Test
    void formatsInUtcWithoutFraction() {
        assertEquals("2023-06-15 12:30:45",
                TimeFormats.format(OffsetDateTime.of(2023, 6, 15, 14, 30, 45, 5, ZoneOffset.ofHours(2))));
    }
}
