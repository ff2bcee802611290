package io.customeranalytics.common.error;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Requests refused before they reach a resource, answered in the API's JSON error shape instead of Vert.x' empty
 * body or Quarkus' {@code {"details": "Error id ..."}}:
 * <ul>
 *   <li>a request line longer than {@link #MAX_REQUEST_LINE} bytes (414) or headers larger than
 *       {@link #MAX_HEADER_BYTES} (431), checked here first; the HTTP codec's own limits
 *       ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) are set higher, so that
 *       such requests reach this check;</li>
 *   <li>every failure of the router itself (a URL whose percent-encoding does not decode, a missing or
 *       malformed {@code Host}), whatever its status.</li>
 * </ul>
 * What the codec refuses before routing (a request line or headers beyond its own limits, a negative or
 * malformed {@code Content-Length}, a header line without a colon) is still answered by Vert.x alone, with its
 * status and an empty body: Quarkus offers no hook for the Vert.x server's {@code invalidRequestHandler}.
 */
@ApplicationScoped
public class HttpLayerErrors {

    /** The longest request line ({@code GET /v0/pipes/...?... HTTP/1.1}) answered; longer ones are a 414. */
    public static final int MAX_REQUEST_LINE = 8192;
    /** The largest sum of header lines answered; larger headers are a 431. */
    public static final int MAX_HEADER_BYTES = 20 * 1024;

    private static final Logger LOG = Logger.getLogger(HttpLayerErrors.class);

    private static final Map<Integer, String> MESSAGES = Map.of(
            400, "malformed HTTP request: the request line, a header or the URL's percent-encoding is not valid",
            404, WebApplicationExceptionMapper.NO_SUCH_ENDPOINT,
            405, WebApplicationExceptionMapper.METHOD_NOT_ALLOWED,
            413, "request body too large",
            414, "request line too long: at most " + MAX_REQUEST_LINE + " bytes (method, URL with its query, version)",
            431, "request headers too large: at most " + MAX_HEADER_BYTES + " bytes in all");

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(HttpLayerErrors::refuseOversized);
        router.route().order(Integer.MIN_VALUE).failureHandler(HttpLayerErrors::answerFailure);
        // A failure no failure handler's route matched: a path that does not decode matches no route at all.
        for (int status : new int[] {400, 404, 405, 413, 414, 431, 500}) {
            router.errorHandler(status, HttpLayerErrors::answerFailure);
        }
    }

    private static void refuseOversized(RoutingContext context) {
        int line = context.request().method().name().length() + context.request().uri().length() + 10;
        if (line > MAX_REQUEST_LINE) {
            send(context, 414, true);
        } else if (headerBytes(context.request().headers()) > MAX_HEADER_BYTES) {
            send(context, 431, true);
        } else {
            context.next();
        }
    }

    private static int headerBytes(MultiMap headers) {
        int bytes = 0;
        for (Map.Entry<String, String> header : headers) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    private static void answerFailure(RoutingContext context) {
        int status = context.statusCode() < 400 ? 500 : context.statusCode();
        if (status == 500 && context.failure() instanceof IllegalArgumentException) {
            // What Vert.x raises for a URL whose percent-encoding does not decode.
            status = 400;
        }
        if (status >= 500) {
            LOG.error("request failed in the HTTP layer", context.failure());
        }
        send(context, status, false);
    }

    private static void send(RoutingContext context, int status, boolean close) {
        HttpServerResponse response = context.response();
        if (response.headWritten()) {
            response.close();
            return;
        }
        String message = status >= 500 ? "internal error"
                : MESSAGES.getOrDefault(status, "the HTTP request was refused with status " + status);
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (close) {
            // The body of a refused request is not read.
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(Json.encode(new ErrorBody(message, ApiException.DOC_ERRORS)));
    }
}
