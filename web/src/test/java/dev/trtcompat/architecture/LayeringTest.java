package dev.trtcompat.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of docs/architecture.md as a test. The web module's tests see every module's main
 * classes, so the whole product is checked here (test classes are left out).
 */
class LayeringTest {

  private static JavaClasses product;

  @BeforeAll
  static void importTheProduct() {
    product = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.trtcompat");
  }

  /**
   * Modules point one way: base, then compat-matrix and containers side by side, then converter, then web. A
   * package that is in no layer yet (a new one) is not checked until it is added here.
   */
  @Test
  void modulesDependOnlyOnTheModulesBelowThem() {
    ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("base").definedBy("dev.trtcompat.errors..", "dev.trtcompat.json..", "dev.trtcompat.units..")
        .layer("compat-matrix").definedBy(
            "dev.trtcompat.onnx..", "dev.trtcompat.rules..", "dev.trtcompat.check..", "dev.trtcompat.precision..",
            "dev.trtcompat.cost..", "dev.trtcompat.shapes..")
        .layer("containers").definedBy("dev.trtcompat.docker..", "dev.trtcompat.images..")
        .layer("converter").definedBy("dev.trtcompat.trtexec..", "dev.trtcompat.conversion..",
            "dev.trtcompat.reference..", "dev.trtcompat.accuracy..", "dev.trtcompat.jobs..", "dev.trtcompat.catalog..",
            "dev.trtcompat.store..", "dev.trtcompat.quantize..", "dev.trtcompat.fp16..", "dev.trtcompat.fix..")
        .layer("web").definedBy("dev.trtcompat.cli..", "dev.trtcompat.http..", "dev.trtcompat.models..",
            "dev.trtcompat.app..", "dev.trtcompat.service..", "dev.trtcompat.matrix..", "dev.trtcompat.pages..",
            "dev.trtcompat.html..")
        .whereLayer("web").mayNotBeAccessedByAnyLayer()
        .whereLayer("converter").mayOnlyBeAccessedByLayers("web")
        .whereLayer("containers").mayOnlyBeAccessedByLayers("converter", "web")
        .whereLayer("compat-matrix").mayOnlyBeAccessedByLayers("converter", "web")
        .whereLayer("base").mayOnlyBeAccessedByLayers("compat-matrix", "containers", "converter", "web");
    rule.check(product);
  }

  /** No package cycles anywhere in the product. */
  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("dev.trtcompat.(*)..")
        .should().beFreeOfCycles()
        .check(product);
  }
}
