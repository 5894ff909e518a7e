package dev.herald.contract;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The layering rules every Herald module's ArchitectureTest applies to itself, read from the
 * module's compiled {@code module-info}: what it exports (and to whom), that it uses another Herald
 * module only through what that module exports to it, and that its exported API names no type of a
 * package it does not export. The tests run on the class path, where the module system checks
 * nothing; these rules check the same boundaries there.
 */
public final class ModuleLayering {
  private final ModuleDescriptor descriptor;
  private final JavaClasses classes;
  private final List<HeraldModule> heraldModules;

  /** A Herald module found on the class path, with the packages its classes are in. */
  private record HeraldModule(ModuleDescriptor descriptor, Set<String> packages) {}

  private ModuleLayering(
      ModuleDescriptor descriptor, JavaClasses classes, List<HeraldModule> heraldModules) {
    this.descriptor = descriptor;
    this.classes = classes;
    this.heraldModules = heraldModules;
  }

  /**
   * The module whose main classes include {@code anyMainClass}, read from its class output (a
   * directory or a jar holding {@code module-info.class}). Fails when it has no module descriptor.
   */
  public static ModuleLayering of(Class<?> anyMainClass) {
    Path output = classOutput(anyMainClass);
    ModuleDescriptor descriptor = readDescriptor(output);
    JavaClasses classes = new ClassFileImporter().importPath(output);
    return new ModuleLayering(descriptor, classes, heraldModulesOnClassPath(anyMainClass));
  }

  /**
   * A Maven module that is no Java module (an application run from the class path): like the
   * unnamed module, it may use only what Herald's modules export to everyone.
   */
  public static ModuleLayering onClassPath(Class<?> anyMainClass) {
    Path output = classOutput(anyMainClass);
    ModuleDescriptor unnamed = ModuleDescriptor.newOpenModule("unnamed").build();
    JavaClasses classes = new ClassFileImporter().importPath(output);
    return new ModuleLayering(unnamed, classes, heraldModulesOnClassPath(anyMainClass));
  }

  public ModuleDescriptor descriptor() {
    return descriptor;
  }

  public JavaClasses classes() {
    return classes;
  }

  /** Each exported package, with the modules it is exported to (empty when exported to all). */
  public Map<String, Set<String>> exports() {
    Map<String, Set<String>> exports = new TreeMap<>();
    for (ModuleDescriptor.Exports e : descriptor.exports()) {
      exports.put(e.source(), new TreeSet<>(e.targets()));
    }
    return exports;
  }

  /** The packages opened for reflection, with the modules they are opened to. */
  public Map<String, Set<String>> opens() {
    Map<String, Set<String>> opens = new TreeMap<>();
    for (ModuleDescriptor.Opens o : descriptor.opens()) {
      opens.put(o.source(), new TreeSet<>(o.targets()));
    }
    return opens;
  }

  /**
   * This module's classes depend on another Herald module's classes only in packages that module
   * exports to everyone or to this module by name.
   */
  public ArchRule usesOtherHeraldModulesOnlyThroughTheirExports() {
    Set<String> own = ownPackages();
    Set<String> hidden = new TreeSet<>();
    for (HeraldModule other : heraldModules) {
      if (other.descriptor().name().equals(descriptor.name())) {
        continue;
      }
      hidden.addAll(other.packages());
      for (ModuleDescriptor.Exports e : other.descriptor().exports()) {
        if (!e.isQualified() || e.targets().contains(descriptor.name())) {
          hidden.remove(e.source());
        }
      }
    }
    hidden.removeAll(own);
    DescribedPredicate<JavaClass> inHiddenPackage =
        DescribedPredicate.describe(
            "are in a Herald package not exported to " + descriptor.name() + " " + hidden,
            c -> hidden.contains(c.getPackageName()));
    return ArchRuleDefinition.noClasses()
        .that()
        .resideInAnyPackage(own.toArray(String[]::new))
        .should()
        .dependOnClassesThat(inHiddenPackage)
        .because(descriptor.name() + " reads other Herald modules only through their exports");
  }

  /**
   * The public and protected members of the public classes in this module's exported packages name
   * no class of a package this module does not export to everyone: what a user may call, a user may
   * also name.
   */
  public ArchRule apiNamesNoUnexportedType() {
    Set<String> api =
        descriptor.exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> hidden = new TreeSet<>(ownPackages());
    hidden.removeAll(api);
    return codeUnits()
        .that()
        .areDeclaredInClassesThat(
            DescribedPredicate.describe(
                "are in the exported packages " + api, c -> api.contains(c.getPackageName())))
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .and(
            DescribedPredicate.describe(
                "are public or protected",
                (JavaCodeUnit u) ->
                    u.getModifiers().contains(JavaModifier.PUBLIC)
                        || u.getModifiers().contains(JavaModifier.PROTECTED)))
        .should(nameNoClassIn(hidden))
        .allowEmptyShould(true);
  }

  private static ArchCondition<JavaCodeUnit> nameNoClassIn(Set<String> hidden) {
    return new ArchCondition<>("name no class of the unexported packages " + hidden) {
      @Override
      public void check(JavaCodeUnit unit, ConditionEvents events) {
        List<JavaClass> named = new ArrayList<>(unit.getRawParameterTypes());
        named.add(unit.getRawReturnType());
        named.addAll(unit.getExceptionTypes());
        for (JavaClass c : named) {
          JavaClass base = c.isArray() ? c.getBaseComponentType() : c;
          if (hidden.contains(base.getPackageName())) {
            events.add(
                SimpleConditionEvent.violated(
                    unit, unit.getFullName() + " names " + base.getName()));
          }
        }
      }
    };
  }

  private Set<String> ownPackages() {
    return classes.stream()
        .map(JavaClass::getPackageName)
        .filter(p -> !p.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Path classOutput(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the classes of " + c, e);
    }
  }

  private static ModuleDescriptor readDescriptor(Path output) {
    try {
      if (Files.isDirectory(output)) {
        try (InputStream in = Files.newInputStream(output.resolve("module-info.class"))) {
          return ModuleDescriptor.read(in);
        }
      }
      try (JarFile jar = new JarFile(output.toFile())) {
        var entry = jar.getJarEntry("module-info.class");
        if (entry == null) {
          throw new IllegalStateException(output + " has no module-info.class");
        }
        try (InputStream in = jar.getInputStream(entry)) {
          return ModuleDescriptor.read(in);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the module descriptor in " + output, e);
    }
  }

  private static List<HeraldModule> heraldModulesOnClassPath(Class<?> anchor) {
    List<HeraldModule> modules = new ArrayList<>();
    try {
      Enumeration<URL> found = anchor.getClassLoader().getResources("module-info.class");
      for (URL url : Collections.list(found)) {
        ModuleDescriptor d;
        try (InputStream in = url.openStream()) {
          d = ModuleDescriptor.read(in);
        }
        if (d.name().startsWith("dev.herald")) {
          modules.add(new HeraldModule(d, packagesBeside(url)));
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot read the module descriptors on the class path", e);
    }
    return modules;
  }

  /** The packages of the classes in the directory or jar that holds {@code moduleInfo}. */
  private static Set<String> packagesBeside(URL moduleInfo) throws IOException, URISyntaxException {
    List<String> names = new ArrayList<>();
    if (moduleInfo.getProtocol().equals("jar")) {
      JarURLConnection connection = (JarURLConnection) moduleInfo.openConnection();
      connection.setUseCaches(
          false); // a cached JarFile is shared with the class loader: not ours to close
      try (JarFile jar = connection.getJarFile()) {
        jar.stream().forEach(e -> names.add(e.getName()));
      }
    } else {
      Path root = Path.of(moduleInfo.toURI()).getParent();
      try (Stream<Path> files = Files.walk(root)) {
        files.forEach(f -> names.add(root.relativize(f).toString().replace('\\', '/')));
      }
    }
    Set<String> packages = new TreeSet<>();
    for (String name : names) {
      int slash = name.lastIndexOf('/');
      if (name.endsWith(".class") && slash > 0 && !name.startsWith("META-INF/")) {
        packages.add(name.substring(0, slash).replace('/', '.'));
      }
    }
    return packages;
  }
}
