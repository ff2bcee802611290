package io.customeranalytics.common.schema;

/**
 * One column of a datasource and the rule its values must follow.
 *
 * @param maxLength for strings, the most characters (code points) allowed; 0 for other types
 * @param min       for numbers, the least value allowed, or null
 * @param max       for numbers, the greatest value allowed, or null
 */
public record Column(String name, ColumnType type, boolean required, int maxLength, Double min, Double max) {

    public static Column requiredString(String name, int maxLength) {
        return new Column(name, ColumnType.STRING, true, maxLength, null, null);
    }

    public static Column string(String name, int maxLength) {
        return new Column(name, ColumnType.STRING, false, maxLength, null, null);
    }

    public static Column requiredDateTime(String name) {
        return new Column(name, ColumnType.DATETIME, true, 0, null, null);
    }

    public static Column dateTime(String name) {
        return new Column(name, ColumnType.DATETIME, false, 0, null, null);
    }

    public static Column date(String name) {
        return new Column(name, ColumnType.DATE, false, 0, null, null);
    }

    public static Column float64(String name, double min, double max) {
        return new Column(name, ColumnType.FLOAT64, false, 0, min, max);
    }

    public static Column int32(String name, Integer min, Integer max) {
        return new Column(name, ColumnType.INT32, false, 0,
                min == null ? null : min.doubleValue(), max == null ? null : max.doubleValue());
    }

    /** The ClickHouse-style type name, {@code Nullable(...)} for optional columns. */
    public String typeName() {
        return required ? type.typeName() : "Nullable(" + type.typeName() + ")";
    }
}
