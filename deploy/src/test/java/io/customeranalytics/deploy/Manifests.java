package io.customeranalytics.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A rendered kustomization as typed fabric8 Kubernetes objects. */
record Manifests(String source, List<HasMetadata> objects) {

    static final Path K8S = Path.of("k8s");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static Manifests render(String dir) {
        List<ObjectNode> trees = Kustomization.render(K8S.resolve(dir));
        List<HasMetadata> objects = trees.stream().map(Manifests::typed).toList();
        return new Manifests(dir, objects);
    }

    private static HasMetadata typed(ObjectNode tree) {
        HasMetadata object = SERIALIZATION.unmarshal(tree.toString());
        return object;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(source + ": no " + type.getSimpleName()
                + " named " + name));
    }

    List<GenericKubernetesResource> custom(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(o -> o.getKind().equals(kind)).toList();
    }
}
