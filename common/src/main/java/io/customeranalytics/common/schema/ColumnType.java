package io.customeranalytics.common.schema;

/** The column types of the datasources, named as ClickHouse (and so Tinybird) names them. */
public enum ColumnType {
    STRING("String"),
    DATETIME("DateTime"),
    DATE("Date"),
    FLOAT64("Float64"),
    INT32("Int32");

    private final String typeName;

    ColumnType(String typeName) {
        this.typeName = typeName;
    }

    /** {@code String}, {@code DateTime}, ... as in the {@code meta} of a pipe answer. */
    public String typeName() {
        return typeName;
    }
}
