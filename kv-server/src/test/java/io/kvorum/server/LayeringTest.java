package io.kvorum.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.node.StateMachine;
import io.kvorum.server.storage.StateReader;
import io.kvorum.server.storage.StateWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of kv-server's packages, checked on the compiled main classes. Each layer may
 * use only the layers below it:
 * <pre>
 *   raft                          JDK only (RaftPackagePurityTest also bans clocks and threads)
 *   tls                           JDK and grpc-netty only
 *   storage                       raft
 *   transport                     raft, tls
 *   node                          raft, storage, transport
 *   state                         storage's StateReader/StateWriter, node's StateMachine
 *   housekeeping                  node, state
 *   auth                          state, tls
 *   api                           housekeeping, auth, node, state, tls (never the node's store:
 *                                 its own storage through node.LocalStorage)
 *   http                          api (the HTTP/JSON front end calls the client API's own handlers)
 *   admin                         node
 *   io.kvorum.server (the root)   everything: it wires the layers together
 * </pre>
 * docs/architecture.md explains why each layer sits where it does.
 */
class LayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.kvorum.server");
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("raft").definedBy("io.kvorum.server.raft..")
                .layer("tls").definedBy("io.kvorum.server.tls..")
                .layer("storage").definedBy("io.kvorum.server.storage..")
                .layer("transport").definedBy("io.kvorum.server.transport..")
                .layer("node").definedBy("io.kvorum.server.node..")
                .layer("state").definedBy("io.kvorum.server.state..")
                .layer("housekeeping").definedBy("io.kvorum.server.housekeeping..")
                .layer("auth").definedBy("io.kvorum.server.auth..")
                .layer("api").definedBy("io.kvorum.server.api..")
                .layer("http").definedBy("io.kvorum.server.http..")
                .layer("admin").definedBy("io.kvorum.server.admin..")
                .layer("root").definedBy("io.kvorum.server")
                .whereLayer("raft").mayNotAccessAnyLayer()
                .whereLayer("tls").mayNotAccessAnyLayer()
                .whereLayer("storage").mayOnlyAccessLayers("raft")
                .whereLayer("transport").mayOnlyAccessLayers("raft", "tls")
                .whereLayer("node").mayOnlyAccessLayers("raft", "storage", "transport")
                .whereLayer("state").mayOnlyAccessLayers("storage", "node")
                .whereLayer("housekeeping").mayOnlyAccessLayers("node", "state")
                .whereLayer("auth").mayOnlyAccessLayers("state", "tls")
                .whereLayer("api").mayOnlyAccessLayers("housekeeping", "auth", "node", "state", "tls")
                .whereLayer("http").mayOnlyAccessLayers("api")
                .whereLayer("admin").mayOnlyAccessLayers("node")
                .whereLayer("root").mayNotBeAccessedByAnyLayer()
                .check(classes);
    }

    @Test
    void stateSeesStorageAndNodeOnlyThroughTheirSmallInterfaces() {
        noClasses().that().resideInAPackage("io.kvorum.server.state..")
                .should().dependOnClassesThat(resideInAPackage("io.kvorum.server.storage..")
                        .and(not(belongToAnyOf(StateReader.class, StateWriter.class))))
                .orShould().dependOnClassesThat(resideInAPackage("io.kvorum.server.node..")
                        .and(not(belongToAnyOf(StateMachine.class))))
                .because("the state machine is defined by what it reads and writes, not by the RocksDB store")
                .check(classes);
    }

    @Test
    void theApiNeverReachesIntoTheNodesStore() {
        noClasses().that().resideInAnyPackage("io.kvorum.server.api..", "io.kvorum.server.housekeeping..",
                        "io.kvorum.server.admin..", "io.kvorum.server.http..")
                .should().callMethod(RaftNode.class, "store")
                .because("clients are served from the state and the node's public calls; the store is the node's")
                .check(classes);
    }
}
