package dev.herald.codec;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-codec: it exports its API only. */
class ArchitectureTest extends ModuleContract {
    @Override
    protected Class<?> anyMainClass() {
        return CloudEventsBinary.class;
    }

    @Override
    protected String name() {
        return "dev.herald.codec";
    }

    @Override
    protected Map<String, Set<String>> exports() {
        return Map.of("dev.herald.codec", Set.of());
    }
}
