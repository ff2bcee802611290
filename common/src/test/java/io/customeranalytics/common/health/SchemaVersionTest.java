package io.customeranalytics.common.health;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SchemaVersionTest {

    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.+\\.sql");

    @Test
    void expectedVersionIsTheHighestMigration() throws IOException {
        int highest;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            highest = files.map(path -> VERSIONED.matcher(path.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(matcher -> Integer.parseInt(matcher.group(1)))
                    .max()
                    .orElseThrow();
        }
        assertEquals(highest, SchemaReadinessCheck.EXPECTED_VERSION,
                "a new migration needs SchemaReadinessCheck.EXPECTED_VERSION raised with it");
    }

    @Test
    void readyOnlyFromTheExpectedVersionOn() {
        int expected = SchemaReadinessCheck.EXPECTED_VERSION;
        assertEquals(HealthCheckResponse.Status.DOWN, SchemaReadinessCheck.response(0).getStatus());
        assertEquals(HealthCheckResponse.Status.DOWN, SchemaReadinessCheck.response(expected - 1).getStatus());
        assertEquals(HealthCheckResponse.Status.UP, SchemaReadinessCheck.response(expected).getStatus());
        assertEquals(HealthCheckResponse.Status.UP, SchemaReadinessCheck.response(expected + 1).getStatus());
    }
}
