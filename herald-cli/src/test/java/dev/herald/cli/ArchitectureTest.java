package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.contract.ModuleLayering;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-cli, an application: it exports nothing and uses the log through its API. */
class ArchitectureTest {
    private static final ModuleLayering MODULE = ModuleLayering.of(Main.class);

    @Test
    void exportsNothingAndOpensItsCommandsToPicocliOnly() {
        assertThat(MODULE.descriptor().name()).isEqualTo("dev.herald.cli");
        assertThat(MODULE.exports()).isEqualTo(Map.of());
        assertThat(MODULE.opens()).isEqualTo(Map.of("dev.herald.cli", Set.of("info.picocli")));
    }

    @Test
    void usesOtherHeraldModulesOnlyThroughTheirExports() {
        MODULE.usesOtherHeraldModulesOnlyThroughTheirExports().check(MODULE.classes());
    }
}
