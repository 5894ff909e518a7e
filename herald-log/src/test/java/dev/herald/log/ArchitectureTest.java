package dev.herald.log;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-log: it exports its API, not dev.herald.log.internal. */
class ArchitectureTest extends ModuleContract {
    @Override
    protected Class<?> anyMainClass() {
        return LogTransport.class;
    }

    @Override
    protected String name() {
        return "dev.herald.log";
    }

    @Override
    protected Map<String, Set<String>> exports() {
        return Map.of("dev.herald.log", Set.of());
    }
}
