package io.customeranalytics.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the alert rules and the Grafana dashboard under deploy/k8s/monitoring. */
final class MonitoringFiles {

    private MonitoringFiles() {
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alerts(GenericKubernetesResource rule) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Object> spec = rule.get("spec");
        for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
            out.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return out;
    }

    static List<String> dashboardExpressions(String json) {
        try {
            JsonNode dashboard = new ObjectMapper().readTree(json);
            List<String> out = new ArrayList<>();
            for (JsonNode panel : dashboard.path("panels")) {
                if (panel.path("targets").isEmpty()) {
                    throw new AssertionError("panel without queries: " + panel.path("title"));
                }
                for (JsonNode target : panel.path("targets")) {
                    out.add(target.path("expr").asText());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
