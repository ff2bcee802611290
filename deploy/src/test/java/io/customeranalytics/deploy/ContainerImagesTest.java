package io.customeranalytics.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image build cannot run here (no Docker engine, no registry), so what surrounds it is checked: each service's
 * Dockerfiles pin their base image, run as the non-root user the manifests expect, copy the Quarkus fast-jar
 * layout and expose the port the manifests probe; the JVM Dockerfile and the Jib profile use the same base image.
 * (That the copied paths exist after a build is checked by the system tests, which run those builds.)
 */
class ContainerImagesTest {

    static Stream<String> services() {
        return DeployManifestsTest.SERVICES.stream();
    }

    @ParameterizedTest
    @MethodSource("services")
    void dockerfilesPinTheirBaseAndRunAsTheManifestsNonRootUser(String service) throws IOException {
        Deployment deployment = Manifests.render("base").get(Deployment.class, service);
        long runAsUser = deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
        int port = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0)
                .getContainerPort();
        Map<String, String> pom = DeployManifestsTest.rootPomProperties();
        for (String name : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            List<String> lines = instructions(Path.of("..", service, "src/main/docker", name));
            String where = service + "/" + name;
            List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
            assertEquals(1, from.size(), where + ": one stage");
            String image = from.get(0).substring(5).trim();
            String tag = DeployManifestsTest.tagOf(image);
            assertFalse(tag.isEmpty() || tag.equals("latest"), where + ": base image not pinned: " + image);
            if (name.equals("Dockerfile.jvm")) {
                assertEquals(pom.get("image.base-jvm"), image, where + ": the base image Jib uses too");
                assertTrue(lines.stream().filter(l -> l.startsWith("COPY ")).allMatch(l ->
                        l.contains(" target/quarkus-app/")), where + ": copies the fast-jar layout");
            } else {
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("COPY ") && l.contains("target/*-runner")),
                        where + ": copies the native executable");
            }
            List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
            assertEquals("USER " + runAsUser, users.get(users.size() - 1), where + ": the manifests' runAsUser");
            assertTrue(runAsUser > 0, "non-root");
            assertTrue(lines.contains("EXPOSE " + port), where + ": the port the manifests probe");
            assertTrue(lines.contains("ENV QUARKUS_HTTP_PORT=" + port), where + ": the application listens there");
        }
    }

    /** Dockerfile instructions without comments, continuation lines joined. */
    static List<String> instructions(Path file) throws IOException {
        String text = Files.readString(file).replaceAll("\\\\\\n\\s*", " ");
        return text.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
