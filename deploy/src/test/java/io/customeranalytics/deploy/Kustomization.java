package io.customeranalytics.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization directory the way {@code kubectl kustomize} does, for the subset of kustomize these
 * manifests use: resources (files and directories), namespace, labels, images, replicas, config map and secret
 * generators (literals and files, without name hashes) and JSON 6902 patches. A field outside that subset fails
 * the render, so the manifests cannot use a feature these tests would silently ignore. (The output was compared
 * with kustomize v5.5.0's; deploy/k8s/README.md, "How the manifests are checked".)
 */
final class Kustomization {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "namespace", "labels",
            "images", "replicas", "configMapGenerator", "secretGenerator", "generatorOptions", "patches");

    /** Kinds that carry no namespace. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "IngressClass");

    private Kustomization() {
    }

    /** The objects {@code kubectl kustomize dir} prints, as trees. */
    static List<ObjectNode> render(Path dir) {
        JsonNode k = read(dir.resolve("kustomization.yaml")).get(0);
        k.fieldNames().forEachRemaining(field -> {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(dir + ": kustomization field '" + field
                        + "' is not supported by the manifest tests' renderer");
            }
        });
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode resource : k.path("resources")) {
            Path path = dir.resolve(resource.asText()).normalize();
            if (Files.isDirectory(path)) {
                objects.addAll(render(path));
            } else {
                for (JsonNode doc : read(path)) {
                    objects.add((ObjectNode) doc);
                }
            }
        }
        boolean hashed = !k.path("generatorOptions").path("disableNameSuffixHash").asBoolean(false);
        if (hashed && (k.has("configMapGenerator") || k.has("secretGenerator"))) {
            throw new IllegalArgumentException(dir + ": generators must set generatorOptions.disableNameSuffixHash");
        }
        for (JsonNode generator : k.path("configMapGenerator")) {
            objects.add(generated(dir, "ConfigMap", generator, false));
        }
        for (JsonNode generator : k.path("secretGenerator")) {
            objects.add(generated(dir, "Secret", generator, true));
        }
        for (JsonNode patch : k.path("patches")) {
            applyPatch(objects, patch);
        }
        for (JsonNode replica : k.path("replicas")) {
            for (ObjectNode object : objects) {
                if (name(object).equals(replica.get("name").asText())
                        && Set.of("Deployment", "StatefulSet").contains(object.path("kind").asText())) {
                    ((ObjectNode) object.get("spec")).put("replicas", replica.get("count").asInt());
                }
            }
        }
        for (JsonNode image : k.path("images")) {
            objects.forEach(object -> retag(object, image));
        }
        for (JsonNode label : k.path("labels")) {
            if (label.path("includeSelectors").asBoolean(false) || label.path("includeTemplates").asBoolean(false)) {
                throw new IllegalArgumentException(dir + ": labels with includeSelectors/includeTemplates");
            }
            for (ObjectNode object : objects) {
                ObjectNode labels = ((ObjectNode) object.get("metadata")).with("labels");
                label.get("pairs").fields().forEachRemaining(pair -> labels.set(pair.getKey(), pair.getValue()));
            }
        }
        if (k.has("namespace")) {
            for (ObjectNode object : objects) {
                if (!CLUSTER_SCOPED.contains(object.path("kind").asText())) {
                    ((ObjectNode) object.get("metadata")).put("namespace", k.get("namespace").asText());
                }
            }
        }
        return objects;
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static List<JsonNode> read(Path file) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            List<JsonNode> out = new ArrayList<>();
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    out.add(doc);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    private static ObjectNode generated(Path dir, String kind, JsonNode generator, boolean secret) {
        if (generator.has("behavior") || generator.has("envs")) {
            throw new IllegalArgumentException(dir + ": generator " + generator.get("name") + " uses behavior/envs");
        }
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.put("apiVersion", "v1");
        object.put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", generator.get("name").asText());
        JsonNode labels = generator.path("options").path("labels");
        if (labels.isObject()) {
            metadata.set("labels", labels.deepCopy());
        }
        ObjectNode data = object.putObject("data");
        for (JsonNode literal : generator.path("literals")) {
            String text = literal.asText();
            int eq = text.indexOf('=');
            data.put(text.substring(0, eq), encode(text.substring(eq + 1), secret));
        }
        for (JsonNode file : generator.path("files")) {
            Path path = dir.resolve(file.asText());
            try {
                data.put(path.getFileName().toString(), encode(Files.readString(path), secret));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (secret) {
            object.put("type", "Opaque");
        }
        return object;
    }

    private static String encode(String value, boolean secret) {
        return secret ? java.util.Base64.getEncoder().encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                : value;
    }

    private static void applyPatch(List<ObjectNode> objects, JsonNode patch) {
        JsonNode target = patch.get("target");
        List<ObjectNode> matched = objects.stream()
                .filter(o -> o.path("kind").asText().equals(target.path("kind").asText()))
                .filter(o -> name(o).equals(target.path("name").asText()))
                .toList();
        if (matched.size() != 1) {
            throw new IllegalArgumentException("patch target " + target + " matches " + matched.size() + " objects");
        }
        JsonNode operations;
        try {
            operations = YAML.readTree(patch.get("patch").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode op : operations) {
            apply(matched.get(0), op);
        }
    }

    /** One JSON 6902 operation: add, replace or remove; a path that does not exist fails as in kustomize. */
    private static void apply(ObjectNode root, JsonNode op) {
        String path = op.get("path").asText();
        int slash = path.lastIndexOf('/');
        JsonNode parent = root.at(path.substring(0, slash));
        String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        String kind = op.get("op").asText();
        if (parent.isMissingNode()) {
            throw new IllegalArgumentException("patch path " + path + " does not exist");
        }
        if (parent.isObject()) {
            ObjectNode object = (ObjectNode) parent;
            if (!kind.equals("add") && !object.has(last)) {
                throw new IllegalArgumentException("patch path " + path + " does not exist");
            }
            switch (kind) {
                case "add", "replace" -> object.set(last, op.get("value").deepCopy());
                case "remove" -> object.remove(last);
                default -> throw new IllegalArgumentException("patch op " + kind);
            }
        } else {
            ArrayNode array = (ArrayNode) parent;
            int index = last.equals("-") ? array.size() : Integer.parseInt(last);
            if (index > array.size() || (!kind.equals("add") && index >= array.size())) {
                throw new IllegalArgumentException("patch path " + path + " does not exist");
            }
            switch (kind) {
                case "add" -> array.insert(index, op.get("value").deepCopy());
                case "replace" -> array.set(index, op.get("value").deepCopy());
                case "remove" -> array.remove(index);
                default -> throw new IllegalArgumentException("patch op " + kind);
            }
        }
    }

    /** The images transformer: containers and init containers of any pod template. */
    private static void retag(ObjectNode object, JsonNode image) {
        for (JsonNode containers : List.of(podSpec(object).path("containers"), podSpec(object).path("initContainers"))) {
            for (JsonNode container : containers) {
                String current = container.path("image").asText();
                int colon = current.lastIndexOf(':') > current.lastIndexOf('/') ? current.lastIndexOf(':') : -1;
                String repository = colon < 0 ? current : current.substring(0, colon);
                if (repository.equals(image.get("name").asText())) {
                    String newName = image.path("newName").asText(repository);
                    String newTag = image.path("newTag").asText(colon < 0 ? "" : current.substring(colon + 1));
                    ((ObjectNode) container).put("image", newTag.isEmpty() ? newName : newName + ":" + newTag);
                }
            }
        }
    }

    /** The pod spec of a workload (Deployment, StatefulSet, Job, ...), or a missing node. */
    static JsonNode podSpec(JsonNode object) {
        return object.path("spec").path("template").path("spec");
    }

    static Map<String, Path> overlays(Path k8s) {
        try (var dirs = Files.list(k8s.resolve("overlays"))) {
            Map<String, Path> out = new java.util.TreeMap<>();
            for (Iterator<Path> it = dirs.iterator(); it.hasNext(); ) {
                Path dir = it.next();
                out.put(dir.getFileName().toString(), dir);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
