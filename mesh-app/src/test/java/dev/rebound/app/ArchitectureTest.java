package dev.rebound.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout rules of docs/architecture.md, checked on the compiled main classes of every module:
 * the rules in {@code domain} packages are plain Java, the contract stands without the runtime, and
 * no two packages need each other.
 */
class ArchitectureTest {
  /** The contract's packages (module mesh-common): what a worker client or a user's application depends on. */
  private static final String[] CONTRACT = {
      "dev.rebound.common", "dev.rebound.common.message..", "dev.rebound.common.client..",
      "dev.rebound.common.text..", "dev.rebound.common.policy..", "dev.rebound.common.request.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        // the other modules arrive as jars in a reactor build; their test-jars are not main code
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.rebound");
  }

  @Test
  void domainPackagesImportNoVertxAndNoRuntime() {
    noClasses().that().resideInAPackage("dev.rebound..domain..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "com.hazelcast..",
            "dev.rebound.common.runtime..", "dev.rebound.common.db..", "dev.rebound.common.http..",
            "dev.rebound.common.service..", "dev.rebound.*.store..", "dev.rebound.*.http..")
        .because("the rules must be testable with a fixed clock and no event loop or database")
        .check(classes);
  }

  @Test
  void theContractImportsNothingOfTheRuntime() {
    noClasses().that().resideInAnyPackage(CONTRACT)
        .should().dependOnClassesThat().resideInAnyPackage("dev.rebound.common.runtime..", "dev.rebound.common.db..",
            "dev.rebound.common.http..", "dev.rebound.common.service..", "io.vertx.pgclient..", "io.vertx.sqlclient..",
            "io.vertx.ext..", "io.vertx.spi.cluster..", "com.hazelcast..", "org.slf4j..", "ch.qos.logback..",
            "org.yaml..", "io.micrometer..", "dev.rebound.ledger..", "dev.rebound.analyzer..", "dev.rebound.app..")
        .because("the contract must be usable without the runtime (it imports vertx-core only)")
        .check(classes);
  }

  @Test
  void theWorkerClientDependsOnTheContractAlone() {
    noClasses().that().resideInAPackage("dev.rebound.client..").and().resideOutsideOfPackage("dev.rebound.client.cluster")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rebound.common.runtime..", "dev.rebound.common.db..",
            "dev.rebound.common.http..", "dev.rebound.common.service..", "io.vertx.pgclient..", "io.vertx.sqlclient..",
            "io.vertx.ext..", "io.vertx.spi.cluster..", "com.hazelcast..", "org.slf4j..", "ch.qos.logback..",
            "dev.rebound.ledger..", "dev.rebound.analyzer..", "dev.rebound.retry..", "dev.rebound.app..")
        .because("users' workers depend on rebound-client: it brings the contract (and vertx-core) only")
        .check(classes);
  }

  @Test
  void theClientsJoinHelperUsesHazelcastButNoRuntime() {
    noClasses().that().resideInAPackage("dev.rebound.client.cluster")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rebound.common.runtime..", "dev.rebound.common.db..",
            "dev.rebound.common.http..", "dev.rebound.common.service..", "io.vertx.pgclient..", "io.vertx.sqlclient..",
            "io.vertx.ext..", "org.slf4j..", "ch.qos.logback..", "dev.rebound.ledger..", "dev.rebound.analyzer..",
            "dev.rebound.retry..", "dev.rebound.notifier..", "dev.rebound.app..")
        .because("ReboundCluster.join() builds the services' Hazelcast member for a user's application from vertx-hazelcast "
            + "alone; mesh-runtime builds the same, and ReboundClusterTest keeps the two in step")
        .check(classes);
  }

  @Test
  void servicesDoNotReachIntoEachOther() {
    noClasses().that().resideInAPackage("dev.rebound.ledger..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rebound.analyzer..", "dev.rebound.app..")
        .check(classes);
    noClasses().that().resideInAPackage("dev.rebound.analyzer..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rebound.ledger..", "dev.rebound.app..")
        .check(classes);
  }

  @Test
  void noTwoPackagesDependOnEachOther() {
    slices().matching("dev.rebound.(**)").should().beFreeOfCycles().check(classes);
  }
}
