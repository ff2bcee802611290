package io.customeranalytics.ingest.datasources;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.customeranalytics.common.auth.AdminPermission;
import io.customeranalytics.common.auth.AppendPermission;
import io.customeranalytics.common.auth.Scope;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.error.ErrorBody;
import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.customeranalytics.common.rules.RuleParser;
import io.customeranalytics.common.schema.Datasource;
import io.customeranalytics.ingest.events.FileAppend;
import io.customeranalytics.ingest.jobs.JobsResource;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.smallrye.common.annotation.Blocking;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Tinybird's Data Sources API, as far as it is built: {@code POST /v0/datasources?mode=append} (a file, scope
 * {@code DATASOURCES:APPEND:<name>}), {@code POST /v0/datasources/<name>/truncate} and
 * {@code POST /v0/datasources/<name>/delete} (scope {@code ADMIN}). HTTP only; the append lives in
 * {@link FileAppend}, the rules of a delete in {@link DeleteService}, the SQL in {@link TruncateRepository} and
 * {@link DeleteRepository}.
 */
@Path(DatasourcesResource.PATH)
@Tag(name = "Data Sources", description = "Tinybird's Data Sources API: append a CSV or NDJSON file, delete rows by"
        + " condition, truncate a datasource or its quarantine.")
public class DatasourcesResource {

    static final String PATH = "/v0/datasources";
    /** The longest delete form read: a condition of 2,000 characters, each percent-encoded, and more. */
    static final int MAX_FORM_BYTES = 64 * 1024;
    static final String DOC_TRUNCATE = "docs/api.md#truncate";
    static final String DOC_DELETE = "docs/api.md#delete-rows";
    static final String DOC_APPEND = FileAppend.DOC;

    static final String DELETE_EXAMPLE = """
            {"id": "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11", "job_id": "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11",
             "delete_id": "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11",
             "job_url": "http://localhost:8081/v0/jobs/0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11", "status": "done",
             "job": {"id": "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11", "job_id": "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11",
                     "kind": "delete_data", "status": "done", "created_at": "2026-12-02 06:30:00",
                     "updated_at": "2026-12-02 06:30:00",
                     "job_url": "http://localhost:8081/v0/jobs/0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11",
                     "delete_condition": "customer_id = 'cust-789'", "datasource": {"name": "customer_events"},
                     "rows_affected": 12}}""";

    private final TruncateRepository repository;
    private final DeleteService deletes;
    private final FileAppend files;

    public DatasourcesResource(TruncateRepository repository,
                               DeleteService deletes, FileAppend files) {
        this.repository = repository;
        this.deletes = deletes;
        this.files = files;
    }

    @POST
    @Blocking
    @PermissionsAllowed(value = "append", permission = AppendPermission.class, params = "name")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "appendDatasourceFile", summary = "Append a CSV or NDJSON file to a datasource",
            description = "The file comes as a multipart file part (the SDK's field csv, whatever the format) or as"
                    + " the whole body, gzip or not. It is streamed in chunks, each validated, quarantined and"
                    + " written as the Events API writes a request; the answer comes after the last commit.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "Every row stored or quarantined and committed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AppendResult.class)))
    @APIResponse(responseCode = "400", description = "Missing name, a mode other than append, an unknown format or"
            + " dialect, no file, or a file that cannot be read to its end (the message says what was stored)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "Unknown datasource",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "413", description = "A line longer than 16 MiB, or an upload over the HTTP limit",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public AppendResult appendFile(
            @Parameter(description = "The datasource to append to", required = true, example = "customer_events",
                    schema = @Schema(type = SchemaType.STRING,
                            enumeration = {"customer_events", "customer_profiles", "customer_segments"}))
            @RestQuery String name,
            @Parameter(description = "append (the datasources exist already)", example = "append",
                    schema = @Schema(type = SchemaType.STRING, enumeration = {"append"}, defaultValue = "append"))
            @RestQuery String mode,
            @Parameter(description = "csv or ndjson; by default from the file name (.ndjson, .jsonl), else csv",
                    example = "csv", schema = @Schema(type = SchemaType.STRING, enumeration = {"csv", "ndjson"}))
            @RestQuery String format,
            @Parameter(description = "CSV: the delimiter, one character (default ,)", example = ",")
            @RestQuery("dialect_delimiter") String delimiter,
            @Parameter(description = "CSV: the line ending, \\n or \\r\\n (either is read)", example = "\\n")
            @RestQuery("dialect_new_line") String newLine,
            @Parameter(description = "CSV: the escape character, one character (default none: a quote is doubled)",
                    example = "\\")
            @RestQuery("dialect_escapechar") String escape,
            @Parameter(description = "The file, CSV or NDJSON, gzip or not: the SDK's field, whatever the format")
            @RestForm("csv") FileUpload csv,
            // Read as well, undocumented: a generated client would send every documented part.
            @Schema(hidden = true) @RestForm("ndjson") FileUpload ndjson) {
        Datasource datasource = appendable(name);
        FileUpload file = csv != null ? csv : ndjson;
        if (file == null) {
            throw ApiException.badRequest("no file in the multipart body: send it as the file part csv (or"
                    + " ndjson), such as curl -F csv=@events.csv", DOC_APPEND);
        }
        AppendOptions options = AppendOptions.of(mode, format, file.fileName(), delimiter, newLine, escape);
        try (InputStream in = Files.newInputStream(file.uploadedFile())) {
            return appended(datasource, files.append(datasource, in, false, options.format(), options.delimiter(),
                    options.escape()));
        } catch (IOException e) {
            throw ApiException.badRequest("the uploaded file could not be read", DOC_APPEND);
        }
    }

    @POST
    @Blocking
    @PermissionsAllowed(value = "append", permission = AppendPermission.class, params = "name")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    // The same operation as appendFile, with the file as the whole body: one path and method have one operation.
    @Operation(hidden = true)
    public AppendResult appendBody(
            @RestQuery String name,
            @RestQuery String mode,
            @RestQuery String format,
            @RestQuery("dialect_delimiter") String delimiter,
            @RestQuery("dialect_new_line") String newLine,
            @RestQuery("dialect_escapechar") String escape,
            @Context HttpServerRequest request,
            InputStream body) {
        Datasource datasource = appendable(name);
        InputStream file = new BufferedInputStream(body, 64 * 1024);
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith(MediaType.APPLICATION_FORM_URLENCODED)
                && startsWith(file, "url=")) {
            throw ApiException.badRequest("importing from a url is not built: upload the file instead (a multipart"
                    + " file part, or the whole body)", DOC_APPEND);
        }
        AppendOptions options = AppendOptions.of(mode, format, null, delimiter, newLine, escape);
        String encoding = request.getHeader("Content-Encoding");
        boolean gzip = encoding != null
                && List.of("gzip", "x-gzip").contains(encoding.strip().toLowerCase(Locale.ROOT));
        if (encoding != null && !gzip && !encoding.isBlank() && !encoding.equalsIgnoreCase("identity")) {
            throw ApiException.badRequest("unsupported Content-Encoding '" + encoding + "'; send gzip or none",
                    DOC_APPEND);
        }
        return appended(datasource, files.append(datasource, file, gzip, options.format(), options.delimiter(),
                options.escape()));
    }

    /**
     * Whether the body starts with {@code prefix}, read ahead and given back: curl's {@code --data-binary} sends a
     * file as {@code application/x-www-form-urlencoded}, and only a body that starts with {@code url=} is the SDK's
     * import from a url.
     */
    private static boolean startsWith(InputStream body, String prefix) {
        byte[] expected = prefix.getBytes(StandardCharsets.US_ASCII);
        try {
            body.mark(expected.length);
            byte[] start = body.readNBytes(expected.length);
            body.reset();
            return Arrays.equals(start, expected);
        } catch (IOException e) {
            return false;
        }
    }

    /** The datasource named (the caller's scope for it is checked by AppendPermission). */
    private static Datasource appendable(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("missing parameter 'name': the datasource to append to, one of "
                    + Datasource.names(), DOC_APPEND);
        }
        Datasource datasource = Datasource.byName(name).orElseThrow(() -> ApiException.notFound(
                "unknown datasource '" + name + "'; known: " + Datasource.names(), DOC_APPEND));
        return datasource;
    }

    private static AppendResult appended(Datasource datasource, FileAppend.Appended appended) {
        return new AppendResult(appended.successfulRows(), appended.quarantinedRows(),
                appended.importId().toString(), new AppendResult.AppendedDatasource(datasource.tableName()));
    }

    @POST
    @Path("{name}/delete")
    @PermissionsAllowed(value = Scope.ADMIN, permission = AdminPermission.class)
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "deleteDatasourceRows", summary = "Delete the rows of a datasource that match a condition",
            description = "delete_condition is the segment rule grammar over the datasource's columns (never SQL),"
                    + " such as customer_id = 'cust-789' or event_timestamp < '2023-01-01 00:00:00'. The parameters"
                    + " come in an application/x-www-form-urlencoded body (as Tinybird's SDK sends them) or in the"
                    + " query string. The rows and what is derived only from them go in one transaction, which is"
                    + " recorded as a job; the answer comes after the commit. dry_run=true only counts.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_FORM_URLENCODED,
            schema = @Schema(implementation = DeleteForm.class)))
    @APIResponse(responseCode = "200", description = "Deleted and committed (the job), or with dry_run=true the rows"
            + " the condition selects",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DeleteAnswer.class),
                    examples = @ExampleObject(name = "deleted", value = DELETE_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Missing or malformed delete_condition (the message names the"
            + " problem and its position), or malformed dry_run",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "Unknown datasource",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "413", description = "A form body over 64 KiB",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<DeleteAnswer> delete(
            @Parameter(description = "A datasource", required = true, example = "customer_events")
            @PathParam("name") String name,
            @Parameter(hidden = true) @Context HttpServerRequest request,
            @Parameter(hidden = true) InputStream body) {
        Datasource datasource = Datasource.byName(name).orElseThrow(() -> ApiException.notFound(
                "unknown datasource '" + name + "'; rows can be deleted by condition from "
                        + String.join(", ", Datasource.names())
                        + (name.endsWith("_quarantine") ? " (a quarantine can be truncated)" : ""), DOC_DELETE));
        Map<String, List<String>> form = form(request, body);
        String condition = parameter(form, request, "delete_condition");
        boolean dryRun = dryRun(parameter(form, request, "dry_run"));
        return dryRun
                ? deletes.dryRun(datasource, condition)
                : deletes.delete(datasource, condition, JobsResource.jobsUrl(request));
    }

    /**
     * The parameters of a form body ({@code application/x-www-form-urlencoded}); none for another body. A form is
     * small: one longer than {@link #MAX_FORM_BYTES} is a 413, read no further.
     */
    private static Map<String, List<String>> form(HttpServerRequest request, InputStream body) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (body == null || type == null
                || !type.toLowerCase(Locale.ROOT).startsWith(MediaType.APPLICATION_FORM_URLENCODED)) {
            return Map.of();
        }
        byte[] bytes;
        try {
            bytes = body.readNBytes(MAX_FORM_BYTES + 1);
        } catch (IOException e) {
            throw ApiException.badRequest("the request body could not be read to its end", DOC_DELETE);
        }
        if (bytes.length > MAX_FORM_BYTES) {
            throw new ApiException(413, "the form body is longer than " + MAX_FORM_BYTES + " bytes; a"
                    + " delete_condition is at most " + RuleParser.MAX_LENGTH + " characters", DOC_DELETE);
        }
        try {
            return new QueryStringDecoder(new String(bytes, StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
                    .parameters();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("the form body is not valid application/x-www-form-urlencoded: "
                    + e.getMessage(), DOC_DELETE);
        }
    }

    /** A parameter from the form body, else from the query string. */
    private static String parameter(Map<String, List<String>> form, HttpServerRequest request, String name) {
        List<String> values = form.get(name);
        return values != null && !values.isEmpty() ? values.get(0) : request.getParam(name);
    }

    private static boolean dryRun(String value) {
        if (value == null || value.isEmpty() || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw ApiException.badRequest("dry_run must be true or false, got '" + AppendOptions.shown(value) + "'",
                DOC_DELETE);
    }

    /** The form of a delete, for the OpenAPI document. */
    @Schema(name = "DeleteForm")
    record DeleteForm(
            @JsonProperty("delete_condition")
            @Schema(description = "The rows to delete: the rule grammar over the datasource's columns", required = true,
                    example = "customer_id = 'cust-789'")
            String deleteCondition,
            @JsonProperty("dry_run")
            @Schema(description = "true: only count the rows", defaultValue = "false")
            boolean dryRun) {
    }

    @POST
    @Path("{name}/truncate")
    @PermissionsAllowed(value = Scope.ADMIN, permission = AdminPermission.class)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "truncateDatasource", summary = "Delete every row of a datasource or a quarantine",
            description = "Empties the datasource in one transaction with what is derived only from it (for"
                    + " customer_events: the behavioural analysis' table, the change records, plain mode's"
                    + " aggregates; the metrics snapshot and every segment are then rebuilt by"
                    + " segmentation-service).")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "Emptied and committed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TruncateResult.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "Unknown datasource",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<TruncateResult> truncate(
            @Parameter(description = "A datasource or its quarantine", required = true,
                    example = "customer_events_quarantine") @PathParam("name") String name) {
        boolean quarantine = name.endsWith("_quarantine");
        String table = quarantine ? name.substring(0, name.length() - "_quarantine".length()) : name;
        Datasource datasource = Datasource.byName(table).orElseThrow(() -> ApiException.notFound(
                "unknown datasource '" + name + "'; known: " + known(), DOC_TRUNCATE));
        return repository.truncate(datasource, quarantine)
                .map(done -> new TruncateResult(name, true));
    }

    private static String known() {
        return Arrays.stream(Datasource.values())
                .flatMap(ds -> Stream.of(ds.tableName(), ds.quarantineTableName()))
                .collect(Collectors.joining(", "));
    }
}
