package dev.herald.cli;

import dev.herald.contract.ModuleContract;
import java.util.Map;
import java.util.Set;

/** Guards the layering of herald-cli: an application, it exports nothing and opens its commands to picocli only. */
class ArchitectureTest extends ModuleContract {
    @Override
    protected Class<?> anyMainClass() {
        return Main.class;
    }

    @Override
    protected String name() {
        return "dev.herald.cli";
    }

    @Override
    protected Map<String, Set<String>> exports() {
        return Map.of();
    }

    @Override
    protected Map<String, Set<String>> opens() {
        return Map.of("dev.herald.cli", Set.of("info.picocli"));
    }
}
