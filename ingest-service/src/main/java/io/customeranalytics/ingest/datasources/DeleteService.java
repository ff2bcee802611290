package io.customeranalytics.ingest.datasources;

import io.customeranalytics.common.schema.Datasource;
import io.customeranalytics.ingest.aggregates.AggregateDays;
import io.customeranalytics.ingest.jobs.Job;
import io.customeranalytics.ingest.jobs.JobsConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Deletes a datasource's rows by condition: the rows, what is derived from them and the job's record in one
 * transaction; then, for events, the continuous aggregates' days they were in are rebuilt before the answer.
 * Segment membership and the metrics follow at segmentation-service's next refresh, within the staleness bound.
 */
@ApplicationScoped
public class DeleteService {

    private static final Logger LOG = Logger.getLogger(DeleteService.class);

    private final DeleteRepository repository;
    private final AggregateDays aggregateDays;
    private final JobsConfig jobs;

    public DeleteService(DeleteRepository repository, AggregateDays aggregateDays, JobsConfig jobs) {
        this.repository = repository;
        this.aggregateDays = aggregateDays;
        this.jobs = jobs;
    }

    Uni<DeleteAnswer> dryRun(Datasource datasource, String condition) {
        return repository.count(datasource, condition)
                .map(DeleteAnswer::dryRun);
    }

    Uni<DeleteAnswer> delete(Datasource datasource, String condition, String jobsUrl) {
        return repository.delete(datasource, condition, jobs.retention(), jobsUrl)
                .invoke(job -> LOG.infof("job %s: deleted %d rows of %s", job.id(), job.rowsAffected(),
                        datasource.tableName()))
                .call(job -> rebuildsAggregates(datasource, job)
                        ? aggregateDays.refresh("job " + job.id())
                        : Uni.createFrom().voidItem())
                .map(DeleteAnswer::of);
    }

    private static boolean rebuildsAggregates(Datasource datasource, Job job) {
        return datasource == Datasource.CUSTOMER_EVENTS && job.rowsAffected() > 0;
    }
}
