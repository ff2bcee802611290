package io.customeranalytics.segmentation;

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

/** The pipe endpoints of segmentation-service: RFM segmentation suggestions. */
// Created at start-up rather than on the first request, so every endpoint's latency series exist from the start.
@Startup
@Singleton
@Path("/v0/pipes")
@Tag(name = "Pipes", description = "RFM segmentation suggestions and their summary")
public class PipesResource extends PipeResourceSupport {

    public PipesResource(Callers callers, PipeRepository repository, AnswerBudget budget,
                         @Any Instance<PipeEndpoint> endpoints, MeterRegistry registry) {
        super(callers, repository, budget, endpoints, registry);
    }
}
