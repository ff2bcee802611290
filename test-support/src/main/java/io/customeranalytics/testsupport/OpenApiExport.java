package io.customeranalytics.testsupport;

import io.customeranalytics.localstack.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the OpenAPI documents the running services serve ({@code GET /q/openapi?format=json}) to
 * {@code <dir>/<service>.json}: starts the built services on free ports against the test database
 * ({@link TestDatabase.get()}), fetches, stops. The client-tests module generates its Java clients
 * from these files, so the clients are generated from what the services really serve, not from annotations.
 *
 * <p>Arguments: the project root and the output directory.
 */
public final class OpenApiExport {

    private OpenApiExport() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path out = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(out);
        HttpClient client = HttpClient.newHttpClient();
        try (LocalStack stack = LocalStack.start(root, LocalStack.Ports.free(), TestDatabase.get(),
                LocalStack.newToken(), out.resolve("logs"))) {
            for (String service : LocalStack.SERVICES) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                URI.create(stack.serviceUrl(service) + "/q/openapi?format=json")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(service + " answered " + response.statusCode() + " for /q/openapi");
                }
                Files.writeString(out.resolve(service + ".json"), response.body());
                System.out.println("OpenAPI document of " + service + " -> " + out.resolve(service + ".json"));
            }
        }
    }
}
