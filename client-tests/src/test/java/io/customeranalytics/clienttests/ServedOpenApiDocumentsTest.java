package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.localstack.LocalStack;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documents the services served during this build (saved by OpenApiExport before the clients were generated
 * from them) are complete enough for client generation: every operation has a unique operationId and a security
 * requirement, every parameter a schema and an example, every status a JSON schema; each pipe's 200 answer is
 * the envelope with that pipe's own row type, and errors are the one Error shape.
 */
class ServedOpenApiDocumentsTest {

    static Stream<String> services() {
        return LocalStack.SERVICES.stream();
    }

    @ParameterizedTest
    @MethodSource("services")
    void everyOperationIsCompleteForClientGeneration(String service) throws IOException {
        JsonNode document = new ObjectMapper().readTree(Path.of("target/openapi", service + ".json").toFile());
        assertTrue(document.path("openapi").asText().startsWith("3."), service);
        JsonNode schemes = document.path("components").path("securitySchemes");
        assertEquals("bearer", schemes.path("bearer").path("scheme").asText(), service + ": Bearer scheme");
        assertEquals("query", schemes.path("token").path("in").asText(), service + ": ?token= scheme");
        assertEquals("token", schemes.path("token").path("name").asText());

        Set<String> operationIds = new HashSet<>();
        int operations = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                JsonNode operation = method.getValue();
                String where = service + " " + method.getKey().toUpperCase() + " " + path.getKey();
                operations++;
                String operationId = operation.path("operationId").asText();
                assertFalse(operationId.isEmpty(), where + ": operationId");
                assertTrue(operationIds.add(operationId), where + ": operationId " + operationId + " twice");
                assertTrue(operation.path("security").size() >= 2, where + ": Bearer and token security");
                for (JsonNode parameter : operation.path("parameters")) {
                    String name = where + " parameter " + parameter.path("name").asText();
                    assertTrue(parameter.has("schema") && parameter.path("schema").has("type"), name + ": schema");
                    assertTrue(parameter.has("example") || parameter.has("examples")
                            || parameter.path("schema").has("example"), name + ": example");
                    String type = parameter.path("schema").path("type").toString();
                    if (type.contains("integer") || type.contains("number")) {
                        assertTrue(parameter.path("schema").has("format"), name + ": numeric format");
                    }
                }
                assertTrue(operation.path("responses").size() >= 4, where + ": responses per status");
                for (String status : new String[] {"403", "429", "503"}) {
                    assertTrue(operation.path("responses").has(status), where + ": documents " + status);
                }
                for (String status : new String[] {"429", "503"}) {
                    assertTrue(resolved(document, operation.path("responses").path(status)).path("headers")
                            .has("Retry-After"), where + " " + status + ": the Retry-After header");
                }
                for (Iterator<Map.Entry<String, JsonNode>> responses = operation.path("responses").fields();
                     responses.hasNext(); ) {
                    Map.Entry<String, JsonNode> response = responses.next();
                    JsonNode json = resolved(document, response.getValue()).path("content").path("application/json");
                    assertTrue(json.has("schema"), where + " " + response.getKey() + ": a JSON schema");
                    if (!response.getKey().startsWith("2")) {
                        assertEquals("#/components/schemas/Error", json.path("schema").path("$ref").asText(),
                                where + " " + response.getKey() + ": the Error shape");
                    }
                }
                if (path.getKey().startsWith("/v0/pipes/") && !path.getKey().contains("{")) {
                    String pascal = pascal(path.getKey().substring("/v0/pipes/".length(),
                            path.getKey().length() - ".json".length()));
                    assertEquals(pascal + "Response", operationId.substring(0, 1).toUpperCase()
                            + operationId.substring(1) + "Response", where + ": operationId from the pipe name");
                    String ref = operation.path("responses").path("200").path("content").path("application/json")
                            .path("schema").path("$ref").asText();
                    assertEquals("#/components/schemas/" + pascal + "Response", ref, where + ": 200 schema");
                    JsonNode envelope = document.path("components").path("schemas").path(pascal + "Response");
                    assertEquals("#/components/schemas/" + pascal + "Row",
                            envelope.path("properties").path("data").path("items").path("$ref").asText(),
                            where + ": data rows of the pipe's own type");
                    for (String field : new String[] {"meta", "rows", "statistics"}) {
                        assertTrue(envelope.path("properties").has(field), where + ": envelope field " + field);
                    }
                }
            }
        }
        assertTrue(operations >= 1, service);
    }

    /** A response, or the shared one of components.responses it refers to by {@code $ref}. */
    private static JsonNode resolved(JsonNode document, JsonNode response) {
        String ref = response.path("$ref").asText();
        String prefix = "#/components/responses/";
        if (ref.isEmpty()) {
            return response;
        }
        assertTrue(ref.startsWith(prefix), ref);
        JsonNode shared = document.path("components").path("responses").path(ref.substring(prefix.length()));
        assertFalse(shared.isMissingNode(), ref + " is declared");
        return shared;
    }

    private static String pascal(String snake) {
        StringBuilder out = new StringBuilder();
        for (String part : snake.split("_")) {
            out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return out.toString();
    }
}
