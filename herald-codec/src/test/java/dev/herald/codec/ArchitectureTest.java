package dev.herald.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.contract.ModuleLayering;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Guards the layering of herald-codec: what it exports, and what of Herald it uses. */
class ArchitectureTest {
    private static final ModuleLayering MODULE = ModuleLayering.of(CloudEventsBinary.class);

    @Test
    void exportsOnlyItsApi() {
        assertThat(MODULE.descriptor().name()).isEqualTo("dev.herald.codec");
        assertThat(MODULE.exports()).isEqualTo(Map.of("dev.herald.codec", Set.of()));
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
