package io.customeranalytics.common.schema;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The three datasources of the Events API (docs/api.md, "Events API"), their columns in table order, and the columns
 * that identify a row. The tables themselves are created by the Flyway migrations in {@code db/migration}.
 * Numbers have ranges that every endpoint can add up without overflow ({@link ValueRanges}).
 */
public enum Datasource {

    CUSTOMER_EVENTS("customer_events", List.of("event_id", "event_timestamp"), List.of(
            Column.requiredString("event_id", 128),
            Column.requiredString("customer_id", 128),
            Column.requiredString("event_type", 64),
            Column.requiredDateTime("event_timestamp"),
            Column.string("session_id", 256),
            Column.string("page_url", 4096),
            Column.string("product_id", 256),
            Column.string("category_id", 256),
            Column.string("device_type", 256),
            Column.string("country", 256),
            Column.string("referrer", 256),
            Column.string("user_agent", 4096),
            Column.float64("price", 0.0, ValueRanges.MAX_PRICE),
            Column.int32("quantity", 0, ValueRanges.MAX_QUANTITY))),

    CUSTOMER_PROFILES("customer_profiles", List.of("customer_id"), List.of(
            Column.requiredString("customer_id", 128),
            Column.string("email", 256),
            Column.string("first_name", 256),
            Column.string("last_name", 256),
            Column.string("gender", 256),
            Column.string("city", 256),
            Column.string("country", 256),
            Column.string("customer_segment", 256),
            Column.int32("age", 0, 150),
            Column.date("signup_date"),
            Column.dateTime("last_login"),
            Column.float64("lifetime_value", -ValueRanges.MAX_LIFETIME_VALUE, ValueRanges.MAX_LIFETIME_VALUE))),

    CUSTOMER_SEGMENTS("customer_segments", List.of("segment_id"), List.of(
            Column.requiredString("segment_id", 128),
            Column.requiredString("segment_name", 256),
            Column.string("segment_description", 4096),
            Column.date("creation_date"),
            Column.date("update_date"),
            Column.string("segment_rules", 2000),
            Column.string("segment_type", 256)));

    private final String tableName;
    private final List<String> keyColumns;
    private final List<Column> columns;

    Datasource(String tableName, List<String> keyColumns, List<Column> columns) {
        this.tableName = tableName;
        this.keyColumns = keyColumns;
        this.columns = columns;
    }

    /** The datasource's name in the API, which is also its table's name. */
    public String tableName() {
        return tableName;
    }

    public String quarantineTableName() {
        return tableName + "_quarantine";
    }

    public List<Column> columns() {
        return columns;
    }

    public List<String> keyColumns() {
        return keyColumns;
    }

    public int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new IllegalArgumentException(tableName + " has no column " + column);
    }

    public static Optional<Datasource> byName(String name) {
        return Arrays.stream(values()).filter(ds -> ds.tableName.equals(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(Datasource::tableName).toList();
    }
}
