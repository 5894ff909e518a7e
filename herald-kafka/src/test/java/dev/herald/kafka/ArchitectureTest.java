package dev.herald.kafka;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-kafka: it exports its API only. */
class ArchitectureTest extends ModuleContract {
    @Override
    protected Class<?> anyMainClass() {
        return KafkaTransport.class;
    }

    @Override
    protected String name() {
        return "dev.herald.kafka";
    }

    @Override
    protected Map<String, Set<String>> exports() {
        return Map.of("dev.herald.kafka", Set.of());
    }
}
