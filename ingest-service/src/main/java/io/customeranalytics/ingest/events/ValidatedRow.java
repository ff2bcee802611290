package io.customeranalytics.ingest.events;

import java.util.List;

/**
 * A row after validation: either every column has a typed value ({@code String}, {@code OffsetDateTime},
 * {@code LocalDate}, {@code Double}, {@code Integer} or null) in table order, or it has errors, one per failing
 * column, aligned with {@code errorColumns}.
 */
record ValidatedRow(Object[] values, List<String> errorColumns, List<String> errors) {

    public boolean valid() {
        return errors.isEmpty();
    }
}
