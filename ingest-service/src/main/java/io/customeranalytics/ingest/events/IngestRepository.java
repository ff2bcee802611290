package io.customeranalytics.ingest.events;

import io.customeranalytics.common.schema.Column;
import io.customeranalytics.common.schema.Datasource;
import io.customeranalytics.common.schema.EventChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Writes the rows of one request: each statement stores a whole batch (arrays bound as parameters and
 * {@code unnest}ed) together with its quarantined rows, so one request is one round trip and is atomic.
 */
@ApplicationScoped
public class IngestRepository {

    private static final String INSERT_EVENTS = """
            WITH quarantined AS (%s),
            stored AS (
                INSERT INTO customer_events (event_id, customer_id, event_type, event_timestamp, session_id,
                                             page_url, product_id, category_id, device_type, country, referrer,
                                             user_agent, price, quantity)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[],
                                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                                     $12::text[], $13::float8[], $14::int4[])
                ON CONFLICT (event_id, event_timestamp) DO NOTHING
                RETURNING customer_id, event_type, event_timestamp, price, quantity
            ),
            %s
            SELECT (SELECT count(*) FROM stored) AS stored, (SELECT count(*) FROM quarantined) AS quarantined
            """.formatted(quarantineInsert(Datasource.CUSTOMER_EVENTS, 15), EventChangeLog.recordFrom("stored"));

    /**
     * The events of several requests in one statement (group commit, {@link EventGroupCommit}): $1 is each row's
     * request number, then one array per column. A key sent twice in the group is inserted once, for the request
     * that comes first; the answer is the rows each request stored (requests that stored none are absent).
     */
    private static final String INSERT_EVENT_GROUP = """
            WITH sent AS (
                SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
                                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                                     $13::text[], $14::float8[], $15::int4[]) WITH ORDINALITY
                    AS s(request, event_id, customer_id, event_type, event_timestamp, session_id, page_url,
                         product_id, category_id, device_type, country, referrer, user_agent, price, quantity, ord)
            ),
            firsts AS (
                SELECT DISTINCT ON (event_id, event_timestamp) *
                FROM sent
                ORDER BY event_id, event_timestamp, ord
            ),
            stored AS (
                INSERT INTO customer_events (event_id, customer_id, event_type, event_timestamp, session_id,
                                             page_url, product_id, category_id, device_type, country, referrer,
                                             user_agent, price, quantity)
                SELECT event_id, customer_id, event_type, event_timestamp, session_id, page_url, product_id,
                       category_id, device_type, country, referrer, user_agent, price, quantity
                FROM firsts
                ON CONFLICT (event_id, event_timestamp) DO NOTHING
                RETURNING event_id, customer_id, event_type, event_timestamp, price, quantity
            ),
            %s
            SELECT f.request, count(*) AS stored
            FROM stored s
            JOIN firsts f ON f.event_id = s.event_id AND f.event_timestamp = s.event_timestamp
            GROUP BY f.request
            """.formatted(EventChangeLog.recordFrom("stored"));

    private static final String UPSERT_PROFILES = """
            WITH quarantined AS (%s),
            stored AS (
                INSERT INTO customer_profiles (customer_id, email, first_name, last_name, gender, city, country,
                                               customer_segment, age, signup_date, last_login, lifetime_value,
                                               updated_at)
                SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                            $6::text[], $7::text[], $8::text[], $9::int4[], $10::date[],
                                            $11::timestamptz[], $12::float8[])
                ON CONFLICT (customer_id) DO UPDATE SET
                    email = EXCLUDED.email,
                    first_name = EXCLUDED.first_name,
                    last_name = EXCLUDED.last_name,
                    gender = EXCLUDED.gender,
                    city = EXCLUDED.city,
                    country = EXCLUDED.country,
                    customer_segment = EXCLUDED.customer_segment,
                    age = EXCLUDED.age,
                    signup_date = EXCLUDED.signup_date,
                    last_login = EXCLUDED.last_login,
                    lifetime_value = EXCLUDED.lifetime_value,
                    updated_at = EXCLUDED.updated_at
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM stored) AS stored, (SELECT count(*) FROM quarantined) AS quarantined
            """.formatted(quarantineInsert(Datasource.CUSTOMER_PROFILES, 13));

    private static final String UPSERT_SEGMENTS = """
            WITH quarantined AS (%s),
            stored AS (
                INSERT INTO customer_segments (segment_id, segment_name, segment_description, creation_date,
                                               update_date, segment_rules, segment_type, updated_at)
                SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[],
                                            $6::text[], $7::text[])
                ON CONFLICT (segment_id) DO UPDATE SET
                    segment_name = EXCLUDED.segment_name,
                    segment_description = EXCLUDED.segment_description,
                    creation_date = EXCLUDED.creation_date,
                    update_date = EXCLUDED.update_date,
                    segment_rules = EXCLUDED.segment_rules,
                    segment_type = EXCLUDED.segment_type,
                    updated_at = EXCLUDED.updated_at
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM stored) AS stored, (SELECT count(*) FROM quarantined) AS quarantined
            """.formatted(quarantineInsert(Datasource.CUSTOMER_SEGMENTS, 8));

    /** Serializes segment writes, so that the check for a segment name already in use cannot race. */
    private static final String LOCK_SEGMENTS = "SELECT pg_advisory_xact_lock(hashtext('analytics.customer_segments'))";

    private static final String SEGMENT_NAMES_IN_USE = """
            SELECT segment_id, segment_name
            FROM customer_segments
            WHERE segment_id = ANY($1::text[]) OR segment_name = ANY($2::text[])
            """;

    private final Pool pool;

    public IngestRepository(Pool pool) {
        this.pool = pool;
    }

    /** Counts of one statement: rows stored (inserted or upserted) and rows quarantined. */
    record Written(long stored, long quarantined) {
        static Written from(Row row) {
            return new Written(row.getLong("stored"), row.getLong("quarantined"));
        }
    }

    Uni<Written> insertEvents(List<Object[]> rows, List<QuarantineRow> quarantine, UUID importId) {
        return write(pool, INSERT_EVENTS, Datasource.CUSTOMER_EVENTS, rows, quarantine, importId);
    }

    /**
     * Inserts the rows of several requests in one statement (one commit); how many rows of each request were
     * stored, by the request's position in {@code requests}.
     */
    Uni<long[]> insertEventGroup(List<List<Object[]>> requests) {
        List<Object[]> rows = new ArrayList<>();
        Integer[] request = new Integer[requests.stream().mapToInt(List::size).sum()];
        int at = 0;
        for (int r = 0; r < requests.size(); r++) {
            for (Object[] row : requests.get(r)) {
                rows.add(row);
                request[at++] = r;
            }
        }
        Tuple tuple = Tuple.tuple();
        tuple.addValue(request);
        addColumns(tuple, Datasource.CUSTOMER_EVENTS, rows);
        return pool.preparedQuery(INSERT_EVENT_GROUP)
                .execute(tuple)
                .map(rowSet -> {
                    long[] stored = new long[requests.size()];
                    for (Row row : rowSet) {
                        stored[row.getInteger("request")] = row.getLong("stored");
                    }
                    return stored;
                });
    }

    Uni<Written> upsertProfiles(List<Object[]> rows, List<QuarantineRow> quarantine, UUID importId) {
        return write(pool, UPSERT_PROFILES, Datasource.CUSTOMER_PROFILES, rows, quarantine, importId);
    }

    Uni<Written> upsertSegments(SqlConnection connection, List<Object[]> rows, List<QuarantineRow> quarantine,
                                UUID importId) {
        return write(connection, UPSERT_SEGMENTS, Datasource.CUSTOMER_SEGMENTS, rows, quarantine, importId);
    }

    /** Runs {@code work} in one transaction on one connection. */
    <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    Uni<Void> lockSegments(SqlConnection connection) {
        return connection.query(LOCK_SEGMENTS)
                .execute()
                .replaceWithVoid();
    }

    /** segment_id to segment_name of the stored segments that have one of {@code ids} or {@code names}. */
    Uni<Map<String, String>> segmentNamesInUse(SqlConnection connection, String[] ids, String[] names) {
        return connection.preparedQuery(SEGMENT_NAMES_IN_USE)
                .execute(Tuple.of(ids, names))
                .map(rowSet -> {
                    Map<String, String> namesById = new HashMap<>();
                    for (Row row : rowSet) {
                        namesById.put(row.getString("segment_id"), row.getString("segment_name"));
                    }
                    return namesById;
                });
    }

    private static Uni<Written> write(SqlClient client, String sql, Datasource datasource, List<Object[]> rows,
                                      List<QuarantineRow> quarantine, UUID importId) {
        Tuple tuple = Tuple.tuple();
        addColumns(tuple, datasource, rows);
        addQuarantine(tuple, datasource, quarantine, importId);
        return client.preparedQuery(sql)
                .execute(tuple)
                .map(rowSet -> Written.from(rowSet.iterator().next()));
    }

    /** One array parameter per column, typed as the column is. */
    private static void addColumns(Tuple tuple, Datasource datasource, List<Object[]> rows) {
        List<Column> columns = datasource.columns();
        int n = rows.size();
        for (int c = 0; c < columns.size(); c++) {
            Object[] array = switch (columns.get(c).type()) {
                case STRING -> new String[n];
                case DATETIME -> new OffsetDateTime[n];
                case DATE -> new LocalDate[n];
                case FLOAT64 -> new Double[n];
                case INT32 -> new Integer[n];
            };
            for (int r = 0; r < n; r++) {
                array[r] = rows.get(r)[c];
            }
            tuple.addValue(array);
        }
    }

    /** The import id, then errors (as JSON arrays, one per row), raw text and one text array per column. */
    private static void addQuarantine(Tuple tuple, Datasource datasource, List<QuarantineRow> quarantine,
                                      UUID importId) {
        int n = quarantine.size();
        String[] errorColumns = new String[n];
        String[] errors = new String[n];
        String[] raw = new String[n];
        for (int r = 0; r < n; r++) {
            QuarantineRow row = quarantine.get(r);
            errorColumns[r] = JsonText.array(row.errorColumns());
            errors[r] = JsonText.array(row.errors());
            raw[r] = row.raw();
        }
        tuple.addUUID(importId);
        tuple.addValue(errorColumns);
        tuple.addValue(errors);
        tuple.addValue(raw);
        for (int c = 0; c < datasource.columns().size(); c++) {
            String[] column = new String[n];
            for (int r = 0; r < n; r++) {
                column[r] = quarantine.get(r).columns()[c];
            }
            tuple.addValue(column);
        }
    }

    /**
     * The quarantine half of a write statement, its parameters numbered from {@code first}: the import id, the
     * error columns, the errors, the raw text, then one text array per source column.
     */
    static String quarantineInsert(Datasource datasource, int first) {
        List<String> names = datasource.columns().stream().map(Column::name).toList();
        StringBuilder arrays = new StringBuilder();
        for (int i = 0; i < names.size() + 3; i++) {
            arrays.append(i == 0 ? "" : ", ").append('$').append(first + 1 + i).append("::text[]");
        }
        String columnList = String.join(", ", names);
        String selected = names.stream().map(name -> "q." + name).collect(Collectors.joining(", "));
        return """
                INSERT INTO %s (c__import_id, c__error_column, c__error, c__raw, %s)
                SELECT $%d::uuid,
                       ARRAY(SELECT json_array_elements_text(q.c__error_column::json)),
                       ARRAY(SELECT json_array_elements_text(q.c__error::json)),
                       q.c__raw, %s
                FROM unnest(%s) AS q(c__error_column, c__error, c__raw, %s)
                RETURNING 1""".formatted(datasource.quarantineTableName(), columnList, first, selected, arrays,
                columnList);
    }
}
