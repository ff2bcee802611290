package io.customeranalytics.localstack;

import java.util.List;
import java.util.Set;

/**
 * Which service answers which public path, for the one base URL that clients see: the local gateway routes by it,
 * the Kubernetes Ingress (deploy/k8s/base/ingress.yaml) is tested against it, and each service's tests check that
 * the pipes it serves agree with it.
 */
public final class PipeRoutes {

    /** The Events API, served by ingest-service. */
    public static final String EVENTS_PATH = "/v0/events";

    /** Erasure of one customer, served by ingest-service. */
    public static final String ERASURES_PATH = "/v0/erasures";

    /**
     * Prefix of the Data Sources API ({@code /v0/datasources/<name>/truncate}, {@code .../delete}), served by
     * ingest-service.
     */
    public static final String DATASOURCES_PREFIX = "/v0/datasources/";

    /** The Data Sources API's append of a file ({@code POST /v0/datasources?name=...}), served by ingest-service. */
    public static final String DATASOURCES_PATH = "/v0/datasources";

    /** Tinybird's jobs API ({@code /v0/jobs}, {@code /v0/jobs/<id>}): the deletes' jobs, served by ingest-service. */
    public static final String JOBS_PATH = "/v0/jobs";

    /** Prefix of every pipe endpoint: {@code /v0/pipes/<name>.<format>}. */
    public static final String PIPES_PREFIX = "/v0/pipes/";

    /** The response formats of every pipe. */
    public static final List<String> FORMATS = List.of("json", "csv", "ndjson");

    /** Pipes served by segmentation-service; every other pipe is query-service's. */
    public static final Set<String> SEGMENTATION_PIPES = Set.of("customer_segmentation_suggestions",
            "segment_suggestions_summary");

    /** The pipe names among a service's OpenAPI paths (one documented path per pipe, {@code /v0/pipes/<name>.json}). */
    public static Set<String> documentedPipes(java.util.Collection<String> openApiPaths) {
        return openApiPaths.stream()
                .filter(path -> path.startsWith(PIPES_PREFIX) && path.endsWith(".json") && !path.contains("{"))
                .map(path -> path.substring(PIPES_PREFIX.length(), path.length() - ".json".length()))
                .collect(java.util.stream.Collectors.toSet());
    }

    private PipeRoutes() {
    }
}
