package io.customeranalytics.ingest.datasources;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A file append sent without a {@code Content-Type} is a body of bytes: without this, the multipart method
 * would be chosen for it and find no file part.
 */
public class AppendContentType {

    @ServerRequestFilter(preMatching = true)
    public void bytesUnlessSaidOtherwise(ContainerRequestContext request) {
        if (request.getMediaType() == null && "POST".equals(request.getMethod())
                && DatasourcesResource.PATH.equals(request.getUriInfo().getPath())) {
            request.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_OCTET_STREAM);
        }
    }
}
