package dev.herald.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.contract.ModuleLayering;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-log: what it exports, and what of Herald it uses. */
class ArchitectureTest {
    private static final ModuleLayering MODULE = ModuleLayering.of(LogTransport.class);

    @Test
    void exportsOnlyItsApiNotItsInternals() {
        assertThat(MODULE.descriptor().name()).isEqualTo("dev.herald.log");
        assertThat(MODULE.exports()).isEqualTo(Map.of("dev.herald.log", Set.of()));
        assertThat(MODULE.opens()).isEqualTo(Map.of());
    }

    @Test
    void usesOtherHeraldModulesOnlyThroughTheirExports() {
        MODULE.usesOtherHeraldModulesOnlyThroughTheirExports().check(MODULE.classes());
    }

    @Test
    void itsApiNamesNoUnexportedType() {
        MODULE.apiNamesNoUnexportedType().check(MODULE.classes());
    }
}
