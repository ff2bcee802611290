package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.customeranalytics.common.schema.Column;
import io.customeranalytics.common.schema.Datasource;

import java.util.List;

/**
 * One rejected row as the quarantine stores it: the raw text, each source column as text where it could be
 * read, and the failing columns with their reasons (aligned lists).
 */
record QuarantineRow(String raw, String[] columns, List<String> errorColumns, List<String> errors) {

    /** The column named for errors about the row as a whole (not JSON, not an object): the raw text itself. */
    static final String RAW_COLUMN = "c__raw";

    static QuarantineRow invalid(Datasource datasource, JsonNode row, String raw, List<String> errorColumns,
                                 List<String> errors) {
        List<Column> schema = datasource.columns();
        String[] columns = new String[schema.size()];
        for (int i = 0; i < columns.length; i++) {
            JsonNode value = row.get(schema.get(i).name());
            if (value != null && !value.isNull()) {
                columns[i] = storable(value.isTextual() ? value.textValue() : value.toString());
            }
        }
        return new QuarantineRow(storable(raw), columns, List.copyOf(errorColumns), List.copyOf(errors));
    }

    static QuarantineRow unreadable(Datasource datasource, String raw, String reason) {
        return new QuarantineRow(storable(raw), new String[datasource.columns().size()], List.of(RAW_COLUMN),
                List.of(reason));
    }

    static QuarantineRow conflicting(Datasource datasource, JsonNode row, String raw, String column, String reason) {
        return invalid(datasource, row, raw, List.of(column), List.of(reason));
    }

    /** PostgreSQL text cannot hold NUL: keep it visible as the JSON escape it came in as. */
    private static String storable(String text) {
        return text.indexOf('\0') < 0 ? text : text.replace("\0", "\\u0000");
    }
}
