package io.customeranalytics.ingest.jobs;

import io.customeranalytics.common.auth.AdminPermission;
import io.customeranalytics.common.auth.Scope;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.error.ErrorBody;
import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;

/**
 * Tinybird's jobs API, for the jobs this suite has: {@code GET /v0/jobs} and {@code GET /v0/jobs/<id>}, scope
 * {@code ADMIN}. A client that polls the {@code job_url} of a delete finds it done.
 */
@Path(JobsResource.PATH)
@Tag(name = "Jobs", description = "Tinybird's jobs API: the record of each delete by condition.")
public class JobsResource {

    public static final String PATH = "/v0/jobs";
    static final String DOC_JOBS = "docs/api.md#jobs";
    /** How many jobs the list shows, newest first. */
    static final int LIST_LIMIT = 100;

    /** The answer of {@code GET /v0/jobs}. */
    @RegisterForReflection
    @Schema(name = "JobList", description = "The newest jobs, newest first (at most 100).")
    public record JobList(List<Job> jobs) {
    }

    private final JobRepository repository;

    public JobsResource(JobRepository repository) {
        this.repository = repository;
    }

    @GET
    @PermissionsAllowed(value = Scope.ADMIN, permission = AdminPermission.class)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "listJobs", summary = "The newest jobs",
            description = "The newest 100 jobs, newest first; jobs are kept for analytics.jobs.retention.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "The jobs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobList.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<JobList> list(@Parameter(hidden = true) @Context HttpServerRequest request) {
        return repository.recent(LIST_LIMIT, jobsUrl(request)).map(JobList::new);
    }

    @GET
    @Path("{id}")
    @PermissionsAllowed(value = Scope.ADMIN, permission = AdminPermission.class)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getJob", summary = "One job",
            description = "A job by its id, as long as analytics.jobs.retention keeps it.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "The job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Job.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "No job has this id (or it is older than the retention)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<Job> job(
            @Parameter(description = "The job's id", required = true, example = "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11")
            @PathParam("id") String id,
            @Parameter(hidden = true) @Context HttpServerRequest request) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw unknown(id);
        }
        return repository.job(uuid, jobsUrl(request))
                .map(job -> job.orElseThrow(() -> unknown(id)));
    }

    private static ApiException unknown(String id) {
        String shown = id.length() > 64 ? id.substring(0, 64) + "..." : id;
        return ApiException.notFound("no job '" + shown + "': not a job id, or older than analytics.jobs.retention",
                DOC_JOBS);
    }

    /** The absolute URL of {@code /v0/jobs} as the client reached this service (its scheme and Host). */
    public static String jobsUrl(HttpServerRequest request) {
        String absolute = request.absoluteURI();
        if (absolute == null) {
            return PATH;
        }
        return absolute.substring(0, absolute.length() - request.uri().length()) + PATH;
    }
}
