package io.customeranalytics.pipes;

import io.customeranalytics.common.schema.TimeFormats;
import io.vertx.mutiny.sqlclient.Row;

import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * One output column of a pipe endpoint: its name and ClickHouse-style type, which also says how its value is read
 * from a database row and written out.
 */
public record PipeColumn(String name, String type) {

    public static PipeColumn string(String name) {
        return new PipeColumn(name, "String");
    }

    public static PipeColumn nullableString(String name) {
        return new PipeColumn(name, "Nullable(String)");
    }

    public static PipeColumn dateTime(String name) {
        return new PipeColumn(name, "DateTime");
    }

    public static PipeColumn nullableDateTime(String name) {
        return new PipeColumn(name, "Nullable(DateTime)");
    }

    public static PipeColumn nullableDate(String name) {
        return new PipeColumn(name, "Nullable(Date)");
    }

    public static PipeColumn float64(String name) {
        return new PipeColumn(name, "Float64");
    }

    public static PipeColumn nullableFloat64(String name) {
        return new PipeColumn(name, "Nullable(Float64)");
    }

    public static PipeColumn nullableInt32(String name) {
        return new PipeColumn(name, "Nullable(Int32)");
    }

    public static PipeColumn int32(String name) {
        return new PipeColumn(name, "Int32");
    }

    public static PipeColumn uint64(String name) {
        return new PipeColumn(name, "UInt64");
    }

    public static PipeColumn nullableUInt64(String name) {
        return new PipeColumn(name, "Nullable(UInt64)");
    }

    public static PipeColumn nullableUInt8(String name) {
        return new PipeColumn(name, "Nullable(UInt8)");
    }

    public static PipeColumn stringArray(String name) {
        return new PipeColumn(name, "Array(String)");
    }

    /** The type without {@code Nullable(...)}. */
    public String baseType() {
        return type.startsWith("Nullable(") ? type.substring(9, type.length() - 1) : type;
    }

    /**
     * This column's value in {@code row}, as written out: String, Long, Integer, Double, String[] (arrays), DateTime
     * and Date as their text forms; null for SQL NULL.
     */
    public Object read(Row row) {
        Object value = row.getValue(name);
        if (value == null) {
            return null;
        }
        return switch (baseType()) {
            case "DateTime" -> TimeFormats.format(row.getOffsetDateTime(name));
            case "Date" -> ((LocalDate) value).toString();
            case "UInt64" -> row.getLong(name);
            case "Int32", "UInt8" -> row.getInteger(name);
            case "Float64" -> row.getDouble(name);
            case "Array(String)" -> row.getArrayOfStrings(name);
            default -> value instanceof OffsetDateTime time ? TimeFormats.format(time) : value.toString();
        };
    }
}
