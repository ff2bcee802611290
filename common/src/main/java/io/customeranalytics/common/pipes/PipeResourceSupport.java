package io.customeranalytics.common.pipes;

import io.customeranalytics.common.auth.Caller;
import io.customeranalytics.common.auth.Callers;
import io.customeranalytics.common.auth.PipeReadPermission;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.error.ErrorBody;
import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v0/pipes/<name>.<format>} for the pipe endpoints of one service: each service has a concrete
 * subclass annotated {@code @Path("/v0/pipes")}, and serves the {@link PipeEndpoint} beans it declares.
 *
 * <p>Order of checks: the token (403 missing or unknown) and its scope for the endpoint named (403, declared with
 * {@link PipeReadPermission}), the endpoint (404), the format (400), the parameters (400 naming the parameter;
 * a JWT's fixed parameters replace the request's), then the query.
 */
public abstract class PipeResourceSupport {

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

    protected PipeResourceSupport(Callers callers, PipeRepository repository, AnswerBudget budget,
                                  Instance<PipeEndpoint> endpoints, MeterRegistry registry) {
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

    @GET
    @Path("{pipe}.{format}")
    @PermissionsAllowed(value = "read", permission = PipeReadPermission.class, params = "pipe")
    @Operation(operationId = "queryPipe", summary = "Query a pipe endpoint",
            description = "Answers the endpoint's rows as JSON (Tinybird's envelope), CSV or NDJSON.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "The endpoint's rows", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PipeEnvelope.class)),
            @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "A missing or malformed parameter, named in the message",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "Unknown endpoint",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<Response> query(
            @Parameter(description = "The endpoint", example = "customer_activity") @PathParam("pipe") String pipe,
            @Parameter(description = "json, csv or ndjson", example = "json") @PathParam("format") String format,
            @Parameter(hidden = true) @Context HttpServerRequest request) {
        PipeEndpoint endpoint = endpoints.get(pipe);
        if (endpoint == null) {
            throw ApiException.notFound("unknown pipe endpoint '" + pipe + "'; this service serves "
                    + String.join(", ", endpoints.keySet()), ApiException.DOC_PIPES);
        }
        PipeFormat pipeFormat = PipeFormat.of(format);
        return callers.current()
                .chain(caller -> answer(endpoint, pipeFormat, parse(endpoint, request, caller)));
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
    static PipeParams parse(PipeEndpoint endpoint, HttpServerRequest request, Caller caller) {
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
                List<String> all = request.params().getAll(param.name());
                raw = all.isEmpty() ? null : all.get(0);
            }
            values.put(param.name(), param.parse(raw));
        }
        return new PipeParams(values);
    }
}
