package dev.clnn.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The package order of DESIGN.md §2, enforced: {@code models, onnx, train -> graph, nn -> ops ->
 * tensor -> cl}, with {@code reference} pure Java (no OpenCL), {@code vision} pure Java on host
 * arrays (only {@code tensor.Shape} and {@code Layout} from clnn), and {@code cl} the only package
 * that touches JOCL. A dependency against the order fails here, naming the classes.
 */
class PackageOrderTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.clnn");
    }

    @Test
    void layersOnlyUseTheLayersBelowThem() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Application").definedBy("dev.clnn.models..", "dev.clnn.onnx..", "dev.clnn.train..")
                .layer("Graph").definedBy("dev.clnn.graph..")
                .layer("Nn").definedBy("dev.clnn.nn..")
                .layer("Ops").definedBy("dev.clnn.ops..")
                .layer("Data").definedBy("dev.clnn.data..")
                .layer("Vision").definedBy("dev.clnn.vision..")
                .layer("Reference").definedBy("dev.clnn.reference..")
                .layer("Tensor").definedBy("dev.clnn.tensor..")
                .layer("Io").definedBy("dev.clnn.io..")
                .layer("Cl").definedBy("dev.clnn.cl..")
                .whereLayer("Application").mayNotBeAccessedByAnyLayer()
                .whereLayer("Graph").mayOnlyBeAccessedByLayers("Application")
                .whereLayer("Nn").mayOnlyBeAccessedByLayers("Application")
                .whereLayer("Ops").mayOnlyBeAccessedByLayers("Application", "Graph", "Nn")
                .whereLayer("Data").mayOnlyBeAccessedByLayers("Application")
                .whereLayer("Vision").mayOnlyBeAccessedByLayers("Application")
                .whereLayer("Reference").mayOnlyBeAccessedByLayers("Application", "Graph", "Nn", "Ops")
                .whereLayer("Tensor").mayOnlyBeAccessedByLayers("Application", "Graph", "Nn", "Ops", "Data",
                        "Vision", "Reference")
                .whereLayer("Cl").mayOnlyBeAccessedByLayers("Application", "Graph", "Nn", "Ops", "Tensor")
                .check(classes);
    }

    @Test
    void onlyTheClPackageImportsJocl() {
        noClasses().that().resideOutsideOfPackage("dev.clnn.cl..")
                .should().dependOnClassesThat().resideInAPackage("org.jocl..")
                .because("cl is the one place that speaks OpenCL (DESIGN.md §2)")
                .check(classes);
    }

    @Test
    void referenceIsPureJava() {
        noClasses().that().resideInAPackage("dev.clnn.reference..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.clnn.cl..", "dev.clnn.ops..", "org.jocl..")
                .because("the oracle must not share code with what it checks")
                .check(classes);
    }

    @Test
    void visionIsPureJavaOverHostArrays() {
        noClasses().that().resideInAPackage("dev.clnn.vision..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.clnn.cl..", "dev.clnn.ops..",
                        "dev.clnn.graph..", "dev.clnn.nn..", "dev.clnn.models..", "dev.clnn.onnx..",
                        "dev.clnn.train..", "dev.clnn.data..", "dev.clnn.io..", "dev.clnn.reference..", "org.jocl..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.clnn.tensor.Tensor")
                .because("preprocessing and ranking work on host float arrays; only Shape and Layout describe them")
                .check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.clnn.(*)..").should().beFreeOfCycles().check(classes);
    }
}
