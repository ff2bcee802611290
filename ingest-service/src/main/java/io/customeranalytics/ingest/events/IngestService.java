package io.customeranalytics.ingest.events;

import io.customeranalytics.common.schema.Datasource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The write rules of the Events API: events are idempotent on (event_id, event_timestamp); profiles and
 * segments keep the latest row per key (within a request, the last occurrence wins); a segment name belongs to
 * one segment. The answer is built only after the statement has committed.
 */
@ApplicationScoped
public class IngestService {

    private final IngestRepository repository;
    private final IngestMetrics metrics;
    private final EventGroupCommit groupCommit;

    public IngestService(IngestRepository repository, IngestMetrics metrics, EventGroupCommit groupCommit) {
        this.repository = repository;
        this.metrics = metrics;
        this.groupCommit = groupCommit;
    }

    Uni<WriteOutcome> write(Batch batch) {
        if (batch.received() == 0) {
            return Uni.createFrom().item(new WriteOutcome(0, 0, 0));
        }
        Uni<WriteOutcome> outcome = switch (batch.datasource()) {
            case CUSTOMER_EVENTS -> writeEvents(batch);
            case CUSTOMER_PROFILES -> writeProfiles(batch);
            case CUSTOMER_SEGMENTS -> writeSegments(batch);
        };
        return outcome.invoke(done -> metrics.record(batch.datasource(), done));
    }

    /**
     * A small request with no quarantined row shares a statement and a commit with concurrent ones
     * ({@link EventGroupCommit}); any other is one statement of its own, its quarantine written with it.
     */
    private Uni<WriteOutcome> writeEvents(Batch batch) {
        List<Object[]> rows = batch.accepted().stream().map(Batch.Accepted::values).toList();
        if (batch.quarantined().isEmpty() && groupCommit.takes(rows.size())) {
            return groupCommit.insert(rows)
                    .map(stored -> new WriteOutcome(stored, rows.size() - stored, 0));
        }
        return repository.insertEvents(rows, batch.quarantined(), batch.importId())
                .map(written -> new WriteOutcome(written.stored(), rows.size() - written.stored(),
                        written.quarantined()));
    }

    private Uni<WriteOutcome> writeProfiles(Batch batch) {
        List<Object[]> latest = latestPerKey(batch.accepted(), Datasource.CUSTOMER_PROFILES.indexOf("customer_id"));
        long superseded = batch.accepted().size() - latest.size();
        return repository.upsertProfiles(latest, batch.quarantined(), batch.importId())
                .map(written -> new WriteOutcome(written.stored(), superseded, written.quarantined()));
    }

    private Uni<WriteOutcome> writeSegments(Batch batch) {
        List<Batch.Accepted> rows = batch.accepted();
        return repository.inTransaction(connection -> repository.lockSegments(connection)
                .chain(() -> repository.segmentNamesInUse(connection, SegmentNames.ids(rows), SegmentNames.names(rows)))
                .map(stored -> SegmentNames.resolve(rows, stored))
                .chain(resolution -> {
                    List<QuarantineRow> quarantine = new ArrayList<>(batch.quarantined());
                    quarantine.addAll(resolution.conflicting());
                    return repository.upsertSegments(connection, resolution.latest(), quarantine, batch.importId())
                            .map(written -> new WriteOutcome(written.stored(), resolution.superseded(),
                                    written.quarantined()));
                }));
    }

    /** One row per key, the last occurrence winning. */
    static List<Object[]> latestPerKey(List<Batch.Accepted> rows, int keyIndex) {
        LinkedHashMap<Object, Object[]> latest = new LinkedHashMap<>();
        for (Batch.Accepted row : rows) {
            latest.put(row.values()[keyIndex], row.values());
        }
        return new ArrayList<>(latest.values());
    }
}
