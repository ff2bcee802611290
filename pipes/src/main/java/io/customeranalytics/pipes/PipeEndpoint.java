package io.customeranalytics.pipes;

import io.customeranalytics.common.error.ApiException;

import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One pipe endpoint, {@code GET /v0/pipes/<name>.{json,csv,ndjson}}: its parameters, its output columns (in
 * order) and the SQL for a request. Declaring an endpoint is one CDI bean implementing this interface; the
 * shared machinery ({@link PipeService}) does parameter parsing, execution and the formats.
 */
public interface PipeEndpoint {

    String name();

    String description();

    List<PipeParam> params();

    List<PipeColumn> columns();

    /** The SQL for these (already typed and validated) parameters, built from fixed fragments. */
    PipeQuery query(PipeParams params);

    /**
     * The SQL once the {@link #precondition} passed, given its row: an endpoint whose best SQL depends on the
     * state of the database chooses it here. By default {@link #query(PipeParams)}.
     */
    default PipeQuery query(PipeParams params, Row precondition) {
        return query(params);
    }

    /**
     * A check to run before the query, e.g. that a named thing exists (404) or that precomputed data is fresh
     * enough (503): its SQL, and a verdict on its single row that returns the failure, or null to go on.
     */
    record Precondition(PipeQuery query, Function<Row, ApiException> verdict) {
    }

    /** The check before the query, if this endpoint has one. */
    default Optional<Precondition> precondition(PipeParams params) {
        return Optional.empty();
    }

    /** Checks across parameters; by default, that {@code start_date} is not after {@code end_date}. */
    default void validate(PipeParams params) {
        Object start = params.get("start_date");
        Object end = params.get("end_date");
        if (start instanceof OffsetDateTime s && end instanceof OffsetDateTime e && s.isAfter(e)) {
            throw ApiException.badRequest("start_date must not be after end_date", ApiException.DOC_PIPES);
        }
    }
}
