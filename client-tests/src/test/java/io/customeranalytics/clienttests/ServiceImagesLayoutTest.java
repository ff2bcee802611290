package io.customeranalytics.clienttests;

import io.customeranalytics.localstack.LocalStack;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each service's src/main/docker/Dockerfile.jvm copies exists after the build, so `docker build` on it
 * (which these machines cannot run) has its inputs; this module runs after the services are built.
 */
class ServiceImagesLayoutTest {

    private static final Pattern COPY = Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+\\S+$");

    @Test
    void everyPathTheJvmDockerfileCopiesWasBuilt() throws IOException {
        for (String service : LocalStack.SERVICES) {
            Path module = Path.of("..", service);
            Matcher copy = COPY.matcher(Files.readString(module.resolve("src/main/docker/Dockerfile.jvm")));
            int copies = 0;
            while (copy.find()) {
                copies++;
                String source = copy.group(1);
                Path path = module.resolve(source.replace("*.jar", "quarkus-run.jar"));
                assertTrue(Files.exists(path), service + ": Dockerfile.jvm copies " + source + ", not built");
            }
            assertTrue(copies >= 4, service + ": the four parts of the fast-jar layout");
        }
    }
}
