package io.customeranalytics.ingest.events;

import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.ingest.config.IngestConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Group commit for small event requests: a request that arrives while {@code group-commit-statements} group
 * statements are in flight waits for one of them to end and then goes, with every request that arrived
 * meanwhile, in the next statement: one INSERT and one commit for all of them. Each request is answered with
 * its own counts, and only after that statement has committed. The wait is bounded by one statement's time;
 * a request that finds a statement free goes at once, alone.
 *
 * <p>If a group statement fails, each of its requests is written again on its own, so that a row that makes
 * the database refuse the statement fails only its own request. At most {@code group-commit-max-queued-rows}
 * rows wait; a request that would go over is refused (503, {@code Retry-After: 1}) with nothing stored.
 */
@ApplicationScoped
public class EventGroupCommit {

    private static final Logger LOG = Logger.getLogger(EventGroupCommit.class);

    /** A request waiting for its group: its rows and where its stored count goes. */
    private record Waiting(List<Object[]> rows, UniEmitter<? super Long> answer) {
    }

    private final IngestRepository repository;
    private final int maxStatements;
    private final int maxRows;
    private final int maxQueuedRows;
    private final DistributionSummary groupSizes;

    private final Object lock = new Object();
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    private int waitingRows;
    private int inFlight;

    public EventGroupCommit(IngestRepository repository, IngestConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.maxStatements = config.groupCommitStatements();
        this.maxRows = config.groupCommitMaxRows();
        this.maxQueuedRows = config.groupCommitMaxQueuedRows();
        this.groupSizes = DistributionSummary.builder("analytics_ingest_group_commit_requests")
                .description("Requests written by one group commit statement")
                .register(registry);
    }

    /** Whether a request of {@code rows} rows goes through group commit (else it is written on its own). */
    boolean takes(int rows) {
        return maxStatements > 0 && rows <= maxRows;
    }

    /** Stores the events of one request together with others; the number stored (the rest were duplicates). */
    Uni<Long> insert(List<Object[]> rows) {
        return Uni.createFrom().emitter(answer -> {
            List<Waiting> group = null;
            int refusedBehind = -1;
            synchronized (lock) {
                if (inFlight >= maxStatements && waitingRows + rows.size() > maxQueuedRows) {
                    refusedBehind = waitingRows;
                } else {
                    waiting.addLast(new Waiting(rows, answer));
                    waitingRows += rows.size();
                    if (inFlight < maxStatements) {
                        inFlight++;
                        group = takeGroup();
                    }
                }
            }
            if (refusedBehind >= 0) {
                answer.fail(ApiException.overCapacity("ingest is over capacity: " + refusedBehind
                        + " event rows are waiting to be written; nothing of this request was stored, retry"
                        + " after the Retry-After seconds", 1));
            } else if (group != null) {
                write(group);
            }
        });
    }

    /** The waiting requests, oldest first, up to {@code max-rows} rows (at least one request). Under the lock. */
    private List<Waiting> takeGroup() {
        List<Waiting> group = new ArrayList<>();
        int rows = 0;
        while (!waiting.isEmpty() && (group.isEmpty() || rows + waiting.peekFirst().rows().size() <= maxRows)) {
            Waiting next = waiting.removeFirst();
            rows += next.rows().size();
            group.add(next);
        }
        waitingRows -= rows;
        return group;
    }

    private void write(List<Waiting> group) {
        groupSizes.record(group.size());
        repository.insertEventGroup(group.stream().map(Waiting::rows).toList())
                .subscribe().with(stored -> {
                    for (int i = 0; i < group.size(); i++) {
                        group.get(i).answer().complete(stored[i]);
                    }
                    next();
                }, failure -> {
                    if (group.size() == 1) {
                        group.get(0).answer().fail(failure);
                    } else {
                        LOG.debugf("a group of %d requests failed (%s); writing each on its own", group.size(),
                                failure.getMessage());
                        for (Waiting request : group) {
                            repository.insertEventGroup(List.of(request.rows()))
                                    .subscribe().with(alone -> request.answer().complete(alone[0]),
                                            request.answer()::fail);
                        }
                    }
                    next();
                });
    }

    /** After a statement: the next group, if requests wait; else one statement fewer in flight. */
    private void next() {
        List<Waiting> group = null;
        synchronized (lock) {
            if (waiting.isEmpty()) {
                inFlight--;
            } else {
                group = takeGroup();
            }
        }
        if (group != null) {
            write(group);
        }
    }
}
