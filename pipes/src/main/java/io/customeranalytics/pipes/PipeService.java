package io.customeranalytics.pipes;

import io.customeranalytics.common.auth.Caller;
import io.customeranalytics.common.auth.Callers;
import io.customeranalytics.common.error.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Answers {@code GET /v0/pipes/<name>.<format>} for the pipe endpoints of one service, the {@link PipeEndpoint}
 * beans it declares. Each service's {@code PipesResource} is the HTTP face: it declares the path, the permission
 * ({@code PipeReadPermission}) and the OpenAPI operation, and calls {@link #answer}.
 *
 * <p>Order of checks: the token (403 missing or unknown) and its scope for the endpoint named (403, by the
 * resource's permission), the endpoint (404), the format (400), the parameters (400 naming the parameter; a JWT's
 * fixed parameters replace the request's), then the query.
 */
// Created at start-up rather than on the first request, so every endpoint's latency series exist from the start.
@Startup
@Singleton
public class PipeService {

    /** The {@code outcome} tag values of the request timer. */
    private static final String OK = "ok";
    private static final String CLIENT_ERROR = "client_error";
    private static final String ERROR = "error";
    private static final List<String> OUTCOMES = List.of(OK, CLIENT_ERROR, ERROR);

    private final Callers callers;
    private final PipeRepository repository;
    private final AnswerBudget budget;
    private final MeterRegistry registry;
    private final Map<String, PipeEndpoint> endpoints = new TreeMap<>();

    public PipeService(Callers callers, PipeRepository repository, AnswerBudget budget,
                       @Any Instance<PipeEndpoint> endpoints, MeterRegistry registry) {
        this.callers = callers;
        this.repository = repository;
        this.budget = budget;
        this.registry = registry;
        for (PipeEndpoint endpoint : endpoints) {
            if (this.endpoints.put(endpoint.name(), endpoint) != null) {
                throw new IllegalStateException("two pipe endpoints are named " + endpoint.name());
            }
            // Registered up front: a series that first appears at 1 is invisible to rate() and increase().
            for (String outcome : OUTCOMES) {
                timer(endpoint.name(), outcome);
            }
        }
    }

    /**
     * The answer to one request for {@code pipe} in {@code format}, with the request's query parameters.
     *
     * @throws ApiException 404 for an endpoint this service does not serve, 400 for an unknown format
     */
    public Uni<Response> answer(String pipe, String format, MultiMap query) {
        PipeEndpoint endpoint = endpoints.get(pipe);
        if (endpoint == null) {
            throw ApiException.notFound("unknown pipe endpoint '" + pipe + "'; this service serves "
                    + String.join(", ", endpoints.keySet()), ApiException.DOC_PIPES);
        }
        PipeFormat pipeFormat = PipeFormat.of(format);
        return callers.current()
                .chain(caller -> answer(endpoint, pipeFormat, parse(endpoint, query, caller)));
    }

    private Uni<Response> answer(PipeEndpoint endpoint, PipeFormat pipeFormat, PipeParams params) {
        endpoint.validate(params);
        long start = System.nanoTime();
        AnswerBudget.Share share = budget.share();
        Uni<PipeResult> answer = endpoint.precondition(params)
                .map(check -> repository.run(endpoint, check, row -> endpoint.query(params, row), share))
                .orElseGet(() -> repository.run(endpoint, endpoint.query(params), share));
        return answer
                .map(result -> Response.ok(PipeRenderer.render(result, pipeFormat), pipeFormat.mediaType()).build())
                .onTermination().invoke((response, failure, cancelled) -> {
                    share.release();
                    record(endpoint, failure, start);
                });
    }

    /**
     * {@code analytics_pipe_request_seconds{endpoint, outcome}}: the time from a valid request's query to its
     * rendered answer, a histogram (buckets: common.metrics.LatencyHistograms). Outcome {@code ok}; {@code
     * client_error} for a 4xx verdict reached while answering (an unknown segment's 404); {@code error} for
     * anything else, a 503 (database unavailable, stale membership) included.
     */
    private void record(PipeEndpoint endpoint, Throwable failure, long start) {
        String outcome = failure == null ? OK
                : failure instanceof ApiException api && api.status() < 500 ? CLIENT_ERROR : ERROR;
        timer(endpoint.name(), outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String endpoint, String outcome) {
        return Timer.builder("analytics_pipe_request")
                .description("Pipe endpoint requests: query, rows and rendering")
                .tag("endpoint", endpoint)
                .tag("outcome", outcome)
                .register(registry);
    }

    /**
     * The endpoint's parameters: those a JWT fixes for it (whatever the request sends), else the request's. A JWT
     * that fixes a parameter the endpoint does not take is refused (403): ignoring it could widen what the JWT
     * was meant to read.
     */
    static PipeParams parse(PipeEndpoint endpoint, MultiMap query, Caller caller) {
        Map<String, String> fixed = caller.fixedParams(endpoint.name());
        for (String name : fixed.keySet()) {
            if (endpoint.params().stream().noneMatch(param -> param.name().equals(name))) {
                throw ApiException.forbidden(caller.described() + " fixes the parameter '" + name + "', which "
                        + endpoint.name() + " does not take");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (PipeParam param : endpoint.params()) {
            String raw = fixed.get(param.name());
            if (raw == null) {
                List<String> all = query.getAll(param.name());
                raw = all.isEmpty() ? null : all.get(0);
            }
            values.put(param.name(), param.parse(raw));
        }
        return new PipeParams(values);
    }
}
