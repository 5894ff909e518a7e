package dev.herald.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The layering every Herald module that is a Java module keeps, read from its compiled {@code
 * module-info}: it exports what it says and no more, uses other Herald modules only through what
 * they export to it, and its API names no type it hides. A module's ArchitectureTest subclasses this.
 */
public abstract class ModuleContract {
  private ModuleLayering module;

  /** Any class of the module's main code: it locates the module's classes and descriptor. */
  protected abstract Class<?> anyMainClass();

  /** The module's name. */
  protected abstract String name();

  /** Each package the module exports, with the modules it is exported to (empty: to everyone). */
  protected abstract Map<String, Set<String>> exports();

  /** Each package the module opens for reflection, with the modules it is opened to. */
  protected Map<String, Set<String>> opens() {
    return Map.of();
  }

  protected final ModuleLayering module() {
    if (module == null) {
      module = ModuleLayering.of(anyMainClass());
    }
    return module;
  }

  @Test
  void exportsAndOpensExactlyWhatItMeansTo() {
    assertThat(module().descriptor().name()).isEqualTo(name());
    assertThat(module().exports()).isEqualTo(exports());
    assertThat(module().opens()).isEqualTo(opens());
  }

  @Test
  void usesOtherHeraldModulesOnlyThroughTheirExports() {
    module().usesOtherHeraldModulesOnlyThroughTheirExports().check(module().classes());
  }

  @Test
  void itsApiNamesNoUnexportedType() {
    assumeFalse(exports().isEmpty(), "an application: it has no API");
    module().apiNamesNoUnexportedType().check(module().classes());
  }
}
