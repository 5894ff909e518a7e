package dev.herald.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The layering every Herald module that is a Java module keeps, read from its compiled {@code
 * module-info}: it exports what it says and no more, uses other Herald modules only through what
 * they export to it, and its API names no type it hides. A module's ArchitectureTest subclasses
 * this.
 */
public abstract class ModuleContract {
  private final Class<?> anyMainClass;
  private final String name;
  private final Map<String, Set<String>> exports;
  private final Map<String, Set<String>> opens;
  private ModuleLayering module;

  /**
   * @param anyMainClass any class of the module's main code: it locates its classes and descriptor
   * @param name the module's name
   * @param exports each package the module exports, with the modules it is exported to (empty: to
   *     everyone)
   * @param opens each package the module opens for reflection, with the modules it is opened to
   */
  protected ModuleContract(
      Class<?> anyMainClass,
      String name,
      Map<String, Set<String>> exports,
      Map<String, Set<String>> opens) {
    this.anyMainClass = anyMainClass;
    this.name = name;
    this.exports = exports;
    this.opens = opens;
  }

  protected final ModuleLayering module() {
    if (module == null) {
      module = ModuleLayering.of(anyMainClass);
    }
    return module;
  }

  @Test
  void exportsAndOpensExactlyWhatItMeansTo() {
    assertThat(module().descriptor().name()).isEqualTo(name);
    assertThat(module().exports()).isEqualTo(exports);
    assertThat(module().opens()).isEqualTo(opens);
  }

  @Test
  void usesOtherHeraldModulesOnlyThroughTheirExports() {
    module().usesOtherHeraldModulesOnlyThroughTheirExports().check(module().classes());
  }

  @Test
  void itsApiNamesNoUnexportedType() {
    assumeFalse(exports.isEmpty(), "an application: it has no API");
    module().apiNamesNoUnexportedType().check(module().classes());
  }
}
