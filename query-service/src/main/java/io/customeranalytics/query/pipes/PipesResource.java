package io.customeranalytics.query.pipes;

import io.customeranalytics.common.auth.Callers;
import io.customeranalytics.common.pipes.PipeEndpoint;
import io.customeranalytics.common.pipes.AnswerBudget;
import io.customeranalytics.common.pipes.PipeRepository;
import io.customeranalytics.common.pipes.PipeResourceSupport;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The read endpoints of query-service, through the shared pipe machinery. */
// Created at start-up rather than on the first request, so every endpoint's latency series exist from the start.
@Startup
@Singleton
@Path("/v0/pipes")
@Tag(name = "Pipes", description = "Tinybird-style read endpoints: purchase history, activity, behaviour, quarantines")
public class PipesResource extends PipeResourceSupport {

    public PipesResource(Callers callers, PipeRepository repository, AnswerBudget budget,
                         @Any Instance<PipeEndpoint> endpoints, MeterRegistry registry) {
        super(callers, repository, budget, endpoints, registry);
    }
}
