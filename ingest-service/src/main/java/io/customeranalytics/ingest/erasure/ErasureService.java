package io.customeranalytics.ingest.erasure;

import io.customeranalytics.common.schema.TimeFormats;
import io.customeranalytics.ingest.aggregates.AggregateDays;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Erases one customer: its rows in one transaction, then the continuous aggregates' days it was in, then (waiting
 * up to {@link ErasureConfig#derivedDataWait()}) segmentation-service's recomputation of it.
 */
@ApplicationScoped
public class ErasureService {

    private static final Logger LOG = Logger.getLogger(ErasureService.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final ErasureRepository repository;
    private final AggregateDays aggregateDays;
    private final ErasureConfig config;

    public ErasureService(ErasureRepository repository, AggregateDays aggregateDays, ErasureConfig config) {
        this.repository = repository;
        this.aggregateDays = aggregateDays;
        this.config = config;
    }

    public Uni<ErasureResult> erase(String customerId) {
        long deadline = System.nanoTime() + config.derivedDataWait().toNanos();
        return repository.erase(customerId)
                .invoke(erasure -> LOG.infof("erasure %s: %s", erasure.erasureId(), erasure.rows()))
                .chain(erasure -> aggregateDays.refresh("erasure " + erasure.erasureId())
                        .chain(pending -> derivedErased(customerId, deadline)
                                .map(derived -> result(erasure, pending, derived))));
    }

    private Uni<Boolean> derivedErased(String customerId, long deadline) {
        return repository.recomputePending(customerId)
                .chain(pending -> {
                    if (!pending) {
                        return Uni.createFrom().item(true);
                    }
                    if (System.nanoTime() > deadline) {
                        return Uni.createFrom().item(false);
                    }
                    return Uni.createFrom().voidItem()
                            .onItem().delayIt().by(POLL)
                            .chain(() -> derivedErased(customerId, deadline));
                });
    }

    private static ErasureResult result(Erasure erasure, long daysPending, boolean derived) {
        return new ErasureResult(erasure.erasureId(), erasure.customerId(), erasure.customerSha256(),
                TimeFormats.format(erasure.erasedAt()), erasure.rows(), daysPending, derived);
    }
}
