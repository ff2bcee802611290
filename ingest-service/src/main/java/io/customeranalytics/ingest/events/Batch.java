package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customeranalytics.common.rules.RuleException;
import io.customeranalytics.common.rules.RuleParser;
import io.customeranalytics.common.schema.Datasource;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The rows of one request for one datasource, validated as they are read: valid rows as typed values in table
 * order, rejected rows for the quarantine. Nothing is written until the whole body has been read.
 */
final class Batch implements BodyParser.Sink {

    /** A valid row: its typed values and the source object (kept for a later, database-dependent check). */
    record Accepted(Object[] values, ObjectNode source, String raw) {
    }

    private final Datasource datasource;
    private final UUID importId;
    private final List<Accepted> accepted = new ArrayList<>();
    private final List<QuarantineRow> quarantined = new ArrayList<>();
    private final boolean keepSources;

    Batch(Datasource datasource) {
        this(datasource, UUID.randomUUID());
    }

    /** @param importId the quarantine's {@code c__import_id}: one per request, shared by a file's chunks */
    Batch(Datasource datasource, UUID importId) {
        this.datasource = datasource;
        this.importId = importId;
        // Segments are checked against the stored names later, and may still be quarantined then.
        this.keepSources = datasource == Datasource.CUSTOMER_SEGMENTS;
    }

    private static final int RULES = Datasource.CUSTOMER_SEGMENTS.indexOf("segment_rules");

    @Override
    public void row(ObjectNode row, String raw) {
        ValidatedRow validated = RowValidator.validate(datasource, row);
        if (validated.valid() && datasource == Datasource.CUSTOMER_SEGMENTS) {
            String rulesError = rulesError((String) validated.values()[RULES]);
            if (rulesError != null) {
                quarantined.add(QuarantineRow.invalid(datasource, row, raw, List.of("segment_rules"),
                        List.of(rulesError)));
                return;
            }
        }
        if (validated.valid()) {
            accepted.add(new Accepted(validated.values(), keepSources ? row : null, keepSources ? raw : null));
        } else {
            quarantined.add(QuarantineRow.invalid(datasource, row, raw, validated.errorColumns(), validated.errors()));
        }
    }

    /** The parser's message (with its position) for rules that do not parse; null for none or valid rules. */
    private static String rulesError(String rules) {
        if (rules == null || rules.isBlank()) {
            return null;
        }
        try {
            RuleParser.parse(rules);
            return null;
        } catch (RuleException e) {
            return e.getMessage();
        }
    }

    @Override
    public void rejected(String raw, String reason) {
        quarantined.add(QuarantineRow.unreadable(datasource, raw, reason));
    }

    Datasource datasource() {
        return datasource;
    }

    UUID importId() {
        return importId;
    }

    List<Accepted> accepted() {
        return accepted;
    }

    List<QuarantineRow> quarantined() {
        return quarantined;
    }

    /**
     * Puts the valid events in key order (event_id, event_timestamp; a stable sort, so a key sent twice keeps its
     * first row first), so that batches written at once take their rows' locks in one order and cannot deadlock.
     */
    void sortEventsByKey() {
        int id = Datasource.CUSTOMER_EVENTS.indexOf("event_id");
        int timestamp = Datasource.CUSTOMER_EVENTS.indexOf("event_timestamp");
        accepted.sort(Comparator.comparing((Accepted row) -> (String) row.values()[id])
                .thenComparing(row -> (OffsetDateTime) row.values()[timestamp]));
    }

    int received() {
        return accepted.size() + quarantined.size();
    }
}
