package io.customeranalytics.deploy;

import io.customeranalytics.localstack.PipeRoutes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders deploy/k8s/base and every overlay into typed Kubernetes objects (fabric8 model) and checks what the
 * README promises of them: probes, resources and a non-root, read-only container for every service; Services,
 * Ingress, autoscalers and disruption budgets that reach what exists; configuration and Secrets that are there;
 * images pinned to the release the Maven build makes; a migration Job per release.
 */
class DeployManifestsTest {

    static final List<String> SERVICES = List.of("ingest-service", "query-service", "segmentation-service");

    /** What the base leaves to an overlay or the operator (deploy/k8s/README.md, "Deploy to a real cluster"). */
    static final Set<String> SECRETS_PROVIDED_OUTSIDE_BASE = Set.of("analytics-db-credentials", "analytics-tokens");

    static Stream<String> renderings() {
        return Stream.concat(Stream.of("base"),
                Kustomization.overlays(Manifests.K8S).keySet().stream().map(name -> "overlays/" + name));
    }

    static Stream<String> overlays() {
        return renderings().filter(name -> name.startsWith("overlays/"));
    }

    @Test
    void hasAKindOverlay() {
        assertTrue(Kustomization.overlays(Manifests.K8S).containsKey("kind"));
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyDocumentIsATypedKubernetesObjectWithAName(String dir) {
        Manifests manifests = Manifests.render(dir);
        assertFalse(manifests.objects().isEmpty());
        for (HasMetadata object : manifests.objects()) {
            assertNotNull(object.getMetadata().getName(), dir + ": an object without a name: " + object);
            assertEquals("customer-analytics", object.getMetadata().getLabels().get("app.kubernetes.io/part-of"),
                    dir + ": " + describe(object) + " lacks the part-of label");
        }
        assertTrue(manifests.custom("Kustomization").isEmpty());
        Set<String> seen = new TreeSet<>();
        for (HasMetadata object : manifests.objects()) {
            assertTrue(seen.add(describe(object)), dir + ": " + describe(object) + " is defined twice");
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyFieldIsOneTheKubernetesApiKnows(String dir) {
        // The model keeps fields it does not know in "additional properties": a misspelt field (readinesProbe)
        // would parse and then be ignored by the API server, so none may be there.
        Manifests manifests = Manifests.render(dir);
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : manifests.objects()) {
            if (!(object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource)) {
                UnknownFields.collect(object, describe(object), unknown);
            }
        }
        assertEquals(List.of(), unknown, dir + ": fields the Kubernetes API does not have");
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceDeploymentHasProbesResourcesAndALockedDownContainer(String dir) {
        Manifests manifests = Manifests.render(dir);
        assertEquals(new TreeSet<>(SERVICES), manifests.all(Deployment.class).stream()
                .map(d -> d.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new)));
        for (Deployment deployment : manifests.all(Deployment.class)) {
            String where = dir + ": Deployment " + deployment.getMetadata().getName();
            PodTemplateSpec template = deployment.getSpec().getTemplate();
            assertEquals(deployment.getSpec().getSelector().getMatchLabels().entrySet().stream()
                            .filter(e -> !Objects.equals(template.getMetadata().getLabels().get(e.getKey()), e.getValue()))
                            .count(), 0L, where + ": selector does not select its own pods");
            PodSpec pod = template.getSpec();
            assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where + ": runAsNonRoot");
            assertNotNull(pod.getSecurityContext().getRunAsUser(), where + ": runAsUser");
            assertEquals(1, pod.getContainers().size(), where);
            Container container = pod.getContainers().get(0);
            int port = port(container, "http", where);
            assertEquals(Integer.toString(port), manifests.get(ConfigMap.class, "analytics-config").getData()
                    .get("QUARKUS_HTTP_PORT"), where + ": the service listens on its container port");

            probe(container.getStartupProbe(), "/q/health/started", where + " startupProbe");
            probe(container.getLivenessProbe(), "/q/health/live", where + " livenessProbe");
            probe(container.getReadinessProbe(), "/q/health/ready", where + " readinessProbe");

            Map<String, ?> requests = container.getResources().getRequests();
            Map<String, ?> limits = container.getResources().getLimits();
            assertTrue(requests != null && requests.containsKey("cpu") && requests.containsKey("memory"),
                    where + ": cpu and memory requests");
            assertTrue(limits != null && limits.containsKey("memory"), where + ": a memory limit");

            assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem(),
                    where + ": read-only root filesystem");
            assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation(), where);
            assertTrue(container.getSecurityContext().getCapabilities().getDrop().contains("ALL"), where);
            assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                    where + ": a writable /tmp for Vert.x and the JVM");

            Set<String> envFrom = container.getEnvFrom().stream().map(DeployManifestsTest::sourceName)
                    .collect(Collectors.toSet());
            assertEquals(Set.of("analytics-config", "analytics-db-credentials", "analytics-tokens"), envFrom,
                    where + ": configuration from the ConfigMap, credentials and tokens from Secrets");

            Map<String, String> annotations = template.getMetadata().getAnnotations();
            assertEquals("true", annotations.get("prometheus.io/scrape"), where);
            assertEquals("/q/metrics", annotations.get("prometheus.io/path"), where);
            assertEquals(Integer.toString(port), annotations.get("prometheus.io/port"), where);
            assertEquals(0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(),
                    where + ": a rollout never drops below the serving replicas");
            assertEquals(null, deployment.getSpec().getReplicas(),
                    where + ": no replicas field, which would reset the autoscaler's count on every apply");
            assertNotNull(container.getLifecycle().getPreStop().getExec(),
                    where + ": a preStop pause so the Ingress stops routing before the server closes");
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyImageIsPinnedAndTheServicesRunTheReleaseMavenBuilds(String dir) throws IOException {
        Manifests manifests = Manifests.render(dir);
        for (HasMetadata workload : workloads(manifests)) {
            for (Container container : podSpec(workload).getContainers()) {
                String image = container.getImage();
                String tag = tagOf(image);
                assertFalse(tag.isEmpty() || tag.equals("latest"), dir + ": " + describe(workload)
                        + " runs an unpinned image " + image);
            }
        }
        if (dir.equals("base")) {
            Map<String, String> pom = rootPomProperties();
            for (String service : SERVICES) {
                assertEquals(pom.get("image.group") + "/" + service + ":" + pom.get("image.tag"),
                        image(manifests.get(Deployment.class, service)),
                        "the base runs the image that 'mvn package -Pimage' builds for " + service);
            }
        }
        StatefulSet database = manifests.get(StatefulSet.class, "timescaledb");
        assertTrue(image(database).startsWith("timescale/timescaledb:"), "the official TimescaleDB image");
        assertTrue(tagOf(image(database)).matches("\\d+\\.\\d+\\.\\d+-pg\\d+"),
                "TimescaleDB pinned to a release and PostgreSQL major: " + image(database));
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void theMigrationJobRunsOncePerReleaseWithTheIngestImage(String dir) {
        Manifests manifests = Manifests.render(dir);
        List<Job> jobs = manifests.all(Job.class);
        assertEquals(1, jobs.size(), dir + ": one migration Job");
        Job job = jobs.get(0);
        String ingestImage = image(manifests.get(Deployment.class, "ingest-service"));
        assertEquals(ingestImage, image(job), "the Job migrates with the schema of the ingest image it precedes");
        assertTrue(job.getMetadata().getName().endsWith("-" + tagOf(ingestImage).replace('.', '-')),
                "the Job's name carries the release, so each release migrates once: " + job.getMetadata().getName());
        Container migrate = podSpec(job).getContainers().get(0);
        assertEquals("true", env(migrate, "QUARKUS_INIT_AND_EXIT").orElse(null));
        assertEquals("true", env(migrate, "QUARKUS_FLYWAY_MIGRATE_AT_START").orElse(null));
        assertEquals("Never", podSpec(job).getRestartPolicy(), "a failed attempt's pod and log stay");
        assertTrue(job.getSpec().getBackoffLimit() >= 1, "retried");
        assertTrue(Integer.parseInt(env(migrate, "QUARKUS_FLYWAY_CONNECT_RETRIES").orElse("0")) > 0,
                "waits for a database that is still starting");
        Container ingest = podSpec(manifests.get(Deployment.class, "ingest-service")).getContainers().get(0);
        assertEquals("false", env(ingest, "QUARKUS_FLYWAY_MIGRATE_AT_START").orElse(null),
                "serving ingest pods never migrate");
        assertEquals("false", manifests.get(ConfigMap.class, "analytics-config").getData()
                .get("QUARKUS_FLYWAY_MIGRATE_AT_START"));
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void theDatabaseKeepsItsDataAndTakesCredentialsFromTheSecret(String dir) {
        Manifests manifests = Manifests.render(dir);
        StatefulSet database = manifests.get(StatefulSet.class, "timescaledb");
        assertEquals(1, database.getSpec().getVolumeClaimTemplates().size());
        String claim = database.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        Container container = podSpec(database).getContainers().get(0);
        assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(claim)
                && m.getMountPath().equals("/var/lib/postgresql/data")), "data on the claim");
        assertNotNull(container.getReadinessProbe().getExec(), "readiness via pg_isready");
        assertNotNull(container.getStartupProbe(), "liveness waits for crash recovery");
        assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/dev/shm")),
                "shared memory for parallel queries");
        assertTrue(String.join(" ", container.getReadinessProbe().getExec().getCommand()).contains("pg_isready"));
        for (String variable : List.of("POSTGRES_USER", "POSTGRES_PASSWORD")) {
            EnvVar var = container.getEnv().stream().filter(e -> e.getName().equals(variable)).findFirst()
                    .orElseThrow();
            assertNotNull(var.getValueFrom().getSecretKeyRef(), variable + " from a Secret");
            assertEquals("analytics-db-credentials", var.getValueFrom().getSecretKeyRef().getName());
        }
        Service service = manifests.get(Service.class, database.getSpec().getServiceName());
        assertEquals(5432, service.getSpec().getPorts().get(0).getPort());
        String url = manifests.get(ConfigMap.class, "analytics-config").getData()
                .get("QUARKUS_DATASOURCE_REACTIVE_URL");
        assertTrue(url.startsWith("postgresql://" + service.getMetadata().getName() + ":5432/"),
                "the services reach the database through its Service: " + url);
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyReferencedConfigMapAndSecretExists(String dir) {
        Manifests manifests = Manifests.render(dir);
        Set<String> configMaps = names(manifests.all(ConfigMap.class));
        Set<String> secrets = names(manifests.all(Secret.class));
        if (dir.equals("base")) {
            assertTrue(secrets.isEmpty(), "no secret values in the base");
            secrets = SECRETS_PROVIDED_OUTSIDE_BASE;
        }
        for (HasMetadata workload : workloads(manifests)) {
            PodSpec pod = podSpec(workload);
            List<Container> containers = new ArrayList<>(pod.getContainers());
            containers.addAll(Optional.ofNullable(pod.getInitContainers()).orElse(List.of()));
            for (Container container : containers) {
                for (EnvFromSource source : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
                    if (source.getConfigMapRef() != null) {
                        assertTrue(configMaps.contains(source.getConfigMapRef().getName()), dir + ": "
                                + describe(workload) + " reads the missing ConfigMap " + source.getConfigMapRef());
                    }
                    if (source.getSecretRef() != null) {
                        assertTrue(secrets.contains(source.getSecretRef().getName()), dir + ": "
                                + describe(workload) + " reads the missing Secret " + source.getSecretRef());
                    }
                }
                for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
                    if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                        String name = var.getValueFrom().getSecretKeyRef().getName();
                        assertTrue(secrets.contains(name), dir + ": " + describe(workload) + " reads " + name);
                        if (!dir.equals("base")) {
                            assertTrue(manifests.get(Secret.class, name).getData()
                                    .containsKey(var.getValueFrom().getSecretKeyRef().getKey()),
                                    dir + ": Secret " + name + " lacks " + var.getValueFrom().getSecretKeyRef());
                        }
                    }
                }
            }
            for (Volume volume : Optional.ofNullable(pod.getVolumes()).orElse(List.of())) {
                if (volume.getSecret() != null) {
                    assertTrue(secrets.contains(volume.getSecret().getSecretName()), dir + ": " + describe(workload));
                }
                if (volume.getConfigMap() != null) {
                    assertTrue(configMaps.contains(volume.getConfigMap().getName()), dir + ": " + describe(workload));
                }
            }
        }
        if (!dir.equals("base")) {
            Secret tokens = manifests.get(Secret.class, "analytics-tokens");
            assertTrue(tokens.getData().containsKey("ANALYTICS_ADMIN_TOKEN"), dir + ": an admin token");
            Secret credentials = manifests.get(Secret.class, "analytics-db-credentials");
            assertEquals(Set.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD"),
                    credentials.getData().keySet());
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceSelectsPodsAndPortsThatExist(String dir) {
        Manifests manifests = Manifests.render(dir);
        for (Service service : manifests.all(Service.class)) {
            List<HasMetadata> selected = workloads(manifests).stream()
                    .filter(w -> selects(service.getSpec().getSelector(), template(w).getMetadata().getLabels()))
                    .toList();
            assertEquals(1, selected.size(), dir + ": Service " + service.getMetadata().getName()
                    + " selects " + selected.size() + " workloads");
            Container container = podSpec(selected.get(0)).getContainers().get(0);
            for (ServicePort port : service.getSpec().getPorts()) {
                String target = port.getTargetPort().getStrVal();
                assertNotNull(target, "target ports by name");
                port(container, target, dir + ": Service " + service.getMetadata().getName());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void theIngressRoutesEachPublicPathToTheServiceThatServesIt(String dir) {
        Manifests manifests = Manifests.render(dir);
        List<Ingress> ingresses = manifests.all(Ingress.class);
        assertEquals(1, ingresses.size(), "one Ingress: one base URL");
        Ingress ingress = ingresses.get(0);
        for (var rule : ingress.getSpec().getRules()) {
            for (HTTPIngressPath path : rule.getHttp().getPaths()) {
                IngressServiceBackend backend = path.getBackend().getService();
                Service service = manifests.get(Service.class, backend.getName());
                assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(backend.getPort().getName())),
                        dir + ": Ingress path " + path.getPath() + " names a port its Service lacks");
            }
        }
        assertEquals(Optional.of("ingest-service"), route(ingress, PipeRoutes.EVENTS_PATH));
        assertEquals(Optional.of("ingest-service"), route(ingress, PipeRoutes.ERASURES_PATH));
        assertEquals(Optional.of("ingest-service"),
                route(ingress, PipeRoutes.DATASOURCES_PREFIX + "customer_events/truncate"));
        assertEquals(Optional.of("ingest-service"),
                route(ingress, PipeRoutes.DATASOURCES_PREFIX + "customer_events/delete"));
        assertEquals(Optional.of("ingest-service"), route(ingress, PipeRoutes.DATASOURCES_PATH));
        assertEquals(Optional.of("ingest-service"), route(ingress, PipeRoutes.JOBS_PATH));
        assertEquals(Optional.of("ingest-service"),
                route(ingress, PipeRoutes.JOBS_PATH + "/0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11"));
        for (String format : PipeRoutes.FORMATS) {
            for (String pipe : PipeRoutes.SEGMENTATION_PIPES) {
                assertEquals(Optional.of("segmentation-service"),
                        route(ingress, PipeRoutes.PIPES_PREFIX + pipe + "." + format), pipe + "." + format);
            }
            for (String pipe : List.of("customer_purchase_history", "customer_activity", "segment_metrics",
                    "customer_behavioral_analysis", "segment_customers", "customer_events_quarantine")) {
                assertEquals(Optional.of("query-service"),
                        route(ingress, PipeRoutes.PIPES_PREFIX + pipe + "." + format), pipe + "." + format);
            }
        }
        assertEquals(Optional.of("query-service"), route(ingress, "/v0/pipes/customer_segmentation_suggestions_x.json"),
                "a longer name is another pipe");
        for (String hidden : List.of("/q/metrics", "/q/health/ready", "/q/openapi", "/v0/eventsx", "/")) {
            assertEquals(Optional.empty(), route(ingress, hidden), hidden + " is not exposed");
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceAutoscalesAndKeepsAPodThroughDisruptions(String dir) {
        Manifests manifests = Manifests.render(dir);
        for (String name : SERVICES) {
            Deployment deployment = manifests.get(Deployment.class, name);
            List<HorizontalPodAutoscaler> hpas = manifests.all(HorizontalPodAutoscaler.class).stream()
                    .filter(h -> h.getSpec().getScaleTargetRef().getKind().equals("Deployment")
                            && h.getSpec().getScaleTargetRef().getName().equals(name))
                    .toList();
            assertEquals(1, hpas.size(), dir + ": one autoscaler for " + name);
            HorizontalPodAutoscaler hpa = hpas.get(0);
            assertTrue(hpa.getSpec().getMinReplicas() >= 2, dir + ": " + name + " keeps two pods");
            assertTrue(hpa.getSpec().getMaxReplicas() > hpa.getSpec().getMinReplicas());
            assertTrue(hpa.getSpec().getMetrics().stream().anyMatch(m -> m.getResource() != null
                    && m.getResource().getName().equals("cpu")), "scales on CPU, which the pods request");

            List<PodDisruptionBudget> budgets = manifests.all(PodDisruptionBudget.class).stream()
                    .filter(p -> selects(p.getSpec().getSelector().getMatchLabels(),
                            deployment.getSpec().getTemplate().getMetadata().getLabels()))
                    .toList();
            assertEquals(1, budgets.size(), dir + ": one disruption budget for " + name);
            int minAvailable = budgets.get(0).getSpec().getMinAvailable().getIntVal();
            assertEquals("AlwaysAllow", budgets.get(0).getSpec().getUnhealthyPodEvictionPolicy(),
                    dir + ": unready pods never block a drain");
            assertTrue(minAvailable >= 1 && minAvailable < hpa.getSpec().getMinReplicas(),
                    dir + ": " + name + " keeps a pod and can still be drained");
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void theServicesAtTheirAutoscalersMaximaStayUnderTheDatabasesConnectionLimit(String dir) {
        Manifests manifests = Manifests.render(dir);
        int pool = Integer.parseInt(manifests.get(ConfigMap.class, "analytics-config").getData()
                .get("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE"));
        int pods = manifests.all(HorizontalPodAutoscaler.class).stream()
                .mapToInt(h -> h.getSpec().getMaxReplicas()).sum();
        List<String> args = podSpec(manifests.get(StatefulSet.class, "timescaledb")).getContainers().get(0).getArgs();
        int maxConnections = Integer.parseInt(args.stream().filter(a -> a.startsWith("max_connections="))
                .findFirst().orElseThrow().substring("max_connections=".length()));
        int migration = 2; // the Job's Flyway connections (quarkus.datasource.jdbc.max-size)
        int reserved = 3;  // PostgreSQL's superuser_reserved_connections default
        assertTrue(pods * pool + migration <= maxConnections - reserved, dir + ": " + pods + " pods x " + pool
                + " connections + " + migration + " > max_connections " + maxConnections + " - " + reserved);
    }

    @Test
    void monitoringScrapesEveryServiceAndItsRulesAreComplete() {
        Manifests base = Manifests.render("base");
        Manifests monitoring = Manifests.render("monitoring");
        var monitors = monitoring.custom("ServiceMonitor");
        assertEquals(1, monitors.size());
        Map<String, Object> spec = monitors.get(0).get("spec");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
        assertEquals("http", endpoints.get(0).get("port"));
        assertEquals("/q/metrics", endpoints.get(0).get("path"));
        @SuppressWarnings("unchecked")
        List<String> selected = (List<String>) ((List<Map<String, Object>>) ((Map<String, Object>)
                spec.get("selector")).get("matchExpressions")).get(0).get("values");
        assertEquals(new TreeSet<>(SERVICES), new TreeSet<>(selected));
        for (String service : SERVICES) {
            Service s = base.get(Service.class, service);
            assertEquals(service, s.getMetadata().getLabels().get("app.kubernetes.io/name"),
                    "the label the ServiceMonitor selects by");
            assertTrue(s.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals("http")));
        }

        var rules = monitoring.custom("PrometheusRule");
        assertEquals(1, rules.size());
        List<Map<String, Object>> alerts = MonitoringFiles.alerts(rules.get(0));
        assertTrue(alerts.size() >= 8, "alerts: " + alerts.size());
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> alert : alerts) {
            String name = (String) alert.get("alert");
            assertTrue(names.add(name), "alert " + name + " twice");
            assertFalse(((String) alert.get("expr")).isBlank(), name);
            @SuppressWarnings("unchecked")
            Map<String, String> labels = (Map<String, String>) alert.get("labels");
            assertTrue(Set.of("warning", "critical").contains(labels.get("severity")), name + ": severity");
            @SuppressWarnings("unchecked")
            Map<String, String> annotations = (Map<String, String>) alert.get("annotations");
            assertFalse(annotations.get("summary").isBlank(), name + ": summary");
            assertFalse(annotations.get("description").isBlank(), name + ": description");
        }
        for (String topic : List.of("IngestServerErrors", "QuarantineRate", "PipeLatency", "MembershipStale",
                "PoolSaturated")) {
            assertTrue(names.stream().anyMatch(n -> n.contains(topic)), "an alert on " + topic + ": " + names);
        }

        ConfigMap dashboard = monitoring.get(ConfigMap.class, "customer-analytics-dashboard");
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
        List<String> expressions = MonitoringFiles.dashboardExpressions(
                dashboard.getData().get("grafana-dashboard.json"));
        assertTrue(expressions.size() >= 10, "dashboard queries: " + expressions.size());
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    /** Ingress v1 matching: an Exact path first, else the longest Prefix path matching whole path elements. */
    static Optional<String> route(Ingress ingress, String path) {
        List<HTTPIngressPath> paths = ingress.getSpec().getRules().stream()
                .flatMap(rule -> rule.getHttp().getPaths().stream()).toList();
        Optional<HTTPIngressPath> exact = paths.stream()
                .filter(p -> p.getPathType().equals("Exact") && p.getPath().equals(path)).findFirst();
        if (exact.isPresent()) {
            return exact.map(p -> p.getBackend().getService().getName());
        }
        return paths.stream()
                .filter(p -> p.getPathType().equals("Prefix") && prefixMatches(p.getPath(), path))
                .max(Comparator.comparingInt(p -> p.getPath().length()))
                .map(p -> p.getBackend().getService().getName());
    }

    private static boolean prefixMatches(String prefix, String path) {
        String trimmed = prefix.endsWith("/") && prefix.length() > 1 ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (trimmed.equals("/")) {
            return true;
        }
        return path.equals(trimmed) || path.startsWith(trimmed + "/");
    }

    static List<HasMetadata> workloads(Manifests manifests) {
        return manifests.objects().stream().filter(o -> o instanceof Deployment || o instanceof StatefulSet
                || o instanceof Job).toList();
    }

    static PodTemplateSpec template(HasMetadata workload) {
        if (workload instanceof Deployment d) {
            return d.getSpec().getTemplate();
        }
        if (workload instanceof StatefulSet s) {
            return s.getSpec().getTemplate();
        }
        return ((Job) workload).getSpec().getTemplate();
    }

    static PodSpec podSpec(HasMetadata workload) {
        return template(workload).getSpec();
    }

    static String image(HasMetadata workload) {
        return podSpec(workload).getContainers().get(0).getImage();
    }

    static String tagOf(String image) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? image.substring(colon + 1) : "";
    }

    static Optional<String> env(Container container, String name) {
        return Optional.ofNullable(container.getEnv()).orElse(List.of()).stream()
                .filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst();
    }

    private static int port(Container container, String name, String where) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(where + ": no container port named " + name));
    }

    private static void probe(Probe probe, String path, String where) {
        assertNotNull(probe, where);
        assertNotNull(probe.getHttpGet(), where + ": an HTTP probe");
        assertEquals(path, probe.getHttpGet().getPath(), where);
        assertEquals("http", probe.getHttpGet().getPort().getStrVal(), where + ": on the http port");
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels != null
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static String sourceName(EnvFromSource source) {
        return source.getConfigMapRef() != null ? source.getConfigMapRef().getName() : source.getSecretRef().getName();
    }

    private static Set<String> names(List<? extends HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static String describe(HasMetadata object) {
        return object.getKind() + " " + object.getMetadata().getName();
    }

    /** The root pom's {@code <properties>}. */
    static Map<String, String> rootPomProperties() throws IOException {
        try {
            var document = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(Path.of("..", "pom.xml").toFile());
            var properties = ((org.w3c.dom.Element) document.getElementsByTagName("properties").item(0))
                    .getChildNodes();
            Map<String, String> out = new java.util.HashMap<>();
            for (int i = 0; i < properties.getLength(); i++) {
                if (properties.item(i) instanceof org.w3c.dom.Element element) {
                    out.put(element.getTagName(), element.getTextContent().trim());
                }
            }
            return out;
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException(e);
        }
    }
}
