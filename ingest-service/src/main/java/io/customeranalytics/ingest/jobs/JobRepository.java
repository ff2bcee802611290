package io.customeranalytics.ingest.jobs;

import io.customeranalytics.common.schema.TimeFormats;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;

/** Reads the job records of {@code datasource_jobs} (V20); the deletes write them in their own statements. */
@ApplicationScoped
public class JobRepository {

    /** The columns {@link #from} reads, for a statement's {@code RETURNING} or {@code SELECT}. */
    public static final String COLUMNS = "job_id, kind, datasource, delete_condition, status, rows_affected,"
            + " created_at, updated_at";

    private static final String JOB = "SELECT " + COLUMNS + " FROM datasource_jobs WHERE job_id = $1";

    private static final String RECENT = "SELECT " + COLUMNS
            + " FROM datasource_jobs ORDER BY created_at DESC, job_id LIMIT $1";

    private final Pool pool;

    public JobRepository(Pool pool) {
        this.pool = pool;
    }

    Uni<Optional<Job>> job(UUID id, String jobsUrl) {
        return pool.preparedQuery(JOB).execute(Tuple.of(id))
                .map(rows -> StreamSupport.stream(rows.spliterator(), false)
                        .map(row -> from(row, jobsUrl))
                        .findFirst());
    }

    /** The newest {@code limit} jobs, newest first. */
    Uni<List<Job>> recent(int limit, String jobsUrl) {
        return pool.preparedQuery(RECENT).execute(Tuple.of(limit))
                .map(rows -> StreamSupport.stream(rows.spliterator(), false)
                        .map(row -> from(row, jobsUrl))
                        .toList());
    }

    /**
     * @param jobsUrl the absolute URL of {@code /v0/jobs} as the client reached it, for {@code job_url}
     */
    public static Job from(Row row, String jobsUrl) {
        String id = row.getUUID("job_id").toString();
        return new Job(id, id, row.getString("kind"), row.getString("status"),
                TimeFormats.format(row.getOffsetDateTime("created_at")),
                TimeFormats.format(row.getOffsetDateTime("updated_at")),
                jobsUrl + "/" + id, row.getString("delete_condition"),
                new Job.JobDatasource(row.getString("datasource")), row.getLong("rows_affected"));
    }
}
