import XCTest

@testable import FomCore

/// `fom export kubernetes`: what the manifests keep of fom's guarantees.
final class ExportKubernetesTests: XCTestCase {
    static let password = "Pa55-word-only-in-secret"
    static let env = """
        CVAT_URL=http://cvat.example.com:8080
        CVAT_USERNAME=django
        CVAT_PASSWORD='\(password)'
        CVAT_EMAIL=
        FIFTYONE_PLUGINS_DIR=/plugins
        """

    private func envNames(_ workload: YAMLValue?) -> [String] {
        (workload?.at("spec", "template", "spec", "containers", 0, "env")?.items ?? []).compactMap {
            $0["name"]?.string
        }
    }

    private func secretKeyRefs(_ workload: YAMLValue?) -> [String: String] {
        var refs: [String: String] = [:]
        for variable in workload?.at("spec", "template", "spec", "containers", 0, "env")?.items ?? [] {
            if let key = variable.at("valueFrom", "secretKeyRef", "key")?.string {
                refs[variable["name"]!.string!] = key
            }
        }
        return refs
    }

    func testCVATPasswordIsOnlyInTheSecretAndOnlySyncedInstancesReferenceIt() throws {
        let result = try ExportFixture.defaultConfig(env: Self.env).kubernetes()
        for file in result.files where file.name != "secret.yaml" {
            XCTAssertFalse(file.text.contains(Self.password), "\(file.name) holds the CVAT password")
        }
        XCTAssertTrue(try XCTUnwrap(result.file("secret.yaml")).text.contains("CVAT_PASSWORD: \(Self.password)"))
        XCTAssertEqual(
            secretKeyRefs(result.workload("annotate")),
            [
                "FIFTYONE_CVAT_URL": "CVAT_URL", "FIFTYONE_CVAT_USERNAME": "CVAT_USERNAME",
                "FIFTYONE_CVAT_PASSWORD": "CVAT_PASSWORD",
            ])
        for unsynced in ["review", "mongodb"] {
            XCTAssertEqual(secretKeyRefs(result.workload(unsynced)), [:], unsynced)
            XCTAssertFalse(envNames(result.workload(unsynced)).contains { $0.contains("CVAT") }, unsynced)
        }
        // The CVAT inputs never reach the ConfigMap that every instance reads.
        let configMap = try XCTUnwrap(result.file("configmap.yaml")).documents[0]
        XCTAssertEqual(configMap["data"]?.keys, ["FIFTYONE_PLUGINS_DIR"])
    }

    func testASecretCopiedIntoAnotherVariableStaysInTheSecret() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "synced", "port": 5151, "cvatSync": true},
                  {"name": "other", "port": 5152, "env": {"NOTE": "pw=${CVAT_PASSWORD}", "API_TOKEN": "t0k3n-value"}}
                ]}
                """, env: Self.env)
        let result = try fixture.kubernetes()
        let other = try XCTUnwrap(result.file("other.yaml")).text
        XCTAssertFalse(other.contains(Self.password))
        XCTAssertFalse(other.contains("t0k3n-value"))
        XCTAssertEqual(
            secretKeyRefs(result.workload("other")), ["NOTE": "FOM_OTHER_NOTE", "API_TOKEN": "FOM_OTHER_API_TOKEN"])
    }

    func testNoSecretsWritesTheKeysWithEmptyValues() throws {
        let result = try ExportFixture.defaultConfig(env: Self.env).kubernetes(ExportOptions(noSecrets: true))
        let secret = try XCTUnwrap(result.file("secret.yaml")).documents[0]
        XCTAssertEqual(secret["stringData"]?.keys, ["CVAT_PASSWORD", "CVAT_URL", "CVAT_USERNAME"])
        for key in secret["stringData"]!.keys { XCTAssertEqual(secret.at("stringData", key)?.string, "") }
        XCTAssertFalse(result.files.contains { $0.text.contains(Self.password) })
    }

    func testInitContainersWaitForTheDependenciesInStartOrder() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "d", "port": 5154, "dependsOn": ["c"]},
                  {"name": "c", "port": 5153, "dependsOn": ["b", "a"]},
                  {"name": "b", "port": 5152, "dependsOn": ["a"]},
                  {"name": "a", "kind": "process", "command": ["db"], "port": 27017, "ready": {"tcp": 27017}}
                ]}
                """, env: "")
        let result = try fixture.kubernetes()
        let startOrder = fixture.config.startOrder.map(\.name)
        XCTAssertEqual(startOrder, ["a", "b", "c", "d"])
        var waits: [String: [String]] = [:]
        for instance in fixture.config.instances {
            let initContainers =
                result.workload(instance.name)?.at("spec", "template", "spec", "initContainers")?.items ?? []
            waits[instance.name] = initContainers.compactMap { $0["command"]?.items[3].string }
            XCTAssertEqual(
                initContainers.compactMap { $0["name"]?.string }, waits[instance.name]!.map { "wait-for-\($0)" })
            // Every dependency, and only them, each waited for on its Service port.
            XCTAssertEqual(Set(waits[instance.name]!), Set(instance.dependsOn), instance.name)
            for container in initContainers {
                let target = container["command"]!.items[3].string!
                let port = fixture.config.instance(named: target)!.port!
                XCTAssertEqual(container["command"]?.items[4].string, String(port))
            }
        }
        XCTAssertEqual(waits["c"], ["a", "b"])
        // Pods that start when their init containers let them come up in fom's start order.
        var up: [String] = []
        while up.count < startOrder.count {
            let next = fixture.config.instances.map(\.name).filter { name in
                !up.contains(name) && waits[name]!.allSatisfy(up.contains)
            }
            XCTAssertFalse(next.isEmpty, "a wait that never ends")
            if next.isEmpty { break }
            up.append(next.sorted { startOrder.firstIndex(of: $0)! < startOrder.firstIndex(of: $1)! }[0])
        }
        XCTAssertEqual(up, startOrder)
    }

    func testLoopbackAddressesOfOtherInstancesBecomeTheirServiceAndAreReported() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "app", "port": 5151, "dependsOn": ["db"],
                   "env": {"FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017", "SELF": "http://localhost:5151/x",
                           "NOT_A_PORT": "127.0.0.1:270170", "ELSEWHERE": "http://localhost:9999"}},
                  {"name": "db", "kind": "process", "port": 27017,
                   "command": ["mongod", "--bind_ip", "127.0.0.1", "--port", "{port}"], "ready": {"tcp": 27017}}
                ]}
                """, env: "SHARED_DB=localhost:27017/x\n")
        let plan = try fixture.plan()
        let result = KubernetesExport.render(plan, options: ExportOptions())
        let env = try XCTUnwrap(result.workload("app")?.at("spec", "template", "spec", "containers", 0, "env")).items
        func value(_ name: String) -> String? { env.first { $0["name"]?.string == name }?["value"]?.string }
        XCTAssertEqual(value("FIFTYONE_DATABASE_URI"), "mongodb://db:27017")
        XCTAssertEqual(value("SELF"), "http://localhost:5151/x")
        XCTAssertEqual(value("NOT_A_PORT"), "127.0.0.1:270170")
        XCTAssertEqual(value("ELSEWHERE"), "http://localhost:9999")
        XCTAssertEqual(value("FIFTYONE_DEFAULT_APP_ADDRESS"), "0.0.0.0")
        XCTAssertEqual(plan.sharedEnvironment.first?.value, "db:27017/x")
        XCTAssertTrue(
            plan.rewrites.contains("app: FIFTYONE_DATABASE_URI: 127.0.0.1:27017 -> db:27017"), "\(plan.rewrites)")
        XCTAssertTrue(plan.rewrites.contains("env file SHARED_DB: localhost:27017 -> db:27017"), "\(plan.rewrites)")
        XCTAssertTrue(plan.warnings.contains { $0.hasPrefix("app: ELSEWHERE points at 127.0.0.1/localhost") })
        // A bind address on loopback would hide the instance from its Service.
        let args = result.workload("db")?.at("spec", "template", "spec", "containers", 0, "args")?.items.compactMap(
            \.string)
        XCTAssertEqual(args, ["--bind_ip", "0.0.0.0", "--port", "27017"])
    }

    func testMongodBecomesAStatefulSetWithAClaimForItsDbpath() throws {
        let result = try ExportFixture.defaultConfig(env: Self.env).kubernetes()
        let mongodb = try XCTUnwrap(result.workload("mongodb"))
        XCTAssertEqual(mongodb["kind"]?.string, "StatefulSet")
        XCTAssertEqual(mongodb.at("spec", "serviceName")?.string, "mongodb")
        XCTAssertEqual(mongodb.at("spec", "volumeClaimTemplates", 0, "metadata", "name")?.string, "data")
        let container = try XCTUnwrap(mongodb.at("spec", "template", "spec", "containers", 0))
        XCTAssertEqual(container.at("volumeMounts", 0, "mountPath")?.string, "/app/.fom/data/db")
        XCTAssertEqual(container["image"]?.string, ExportOptions.mongoImage)
        XCTAssertEqual(container["command"]?.items.compactMap(\.string), ["mongod"])
        XCTAssertEqual(result.workload("annotate")?["kind"]?.string, "Deployment")
    }

    func testStatefulOptionNeedsADirectoryForAnythingButMongod() throws {
        let fixture = try ExportFixture.defaultConfig(env: Self.env)
        let stateful = try fixture.kubernetes(ExportOptions(stateful: ["review": "data/review"]))
        XCTAssertEqual(stateful.workload("review")?["kind"]?.string, "StatefulSet")
        XCTAssertEqual(
            stateful.workload("review")?.at(
                "spec", "template", "spec", "containers", 0, "volumeMounts", 0, "mountPath")?
                .string, "/app/data/review")
        let absolute = try fixture.kubernetes(ExportOptions(stateful: ["review": ExportFixture.directory + "/data"]))
        XCTAssertEqual(
            absolute.workload("review")?.at(
                "spec", "template", "spec", "containers", 0, "volumeMounts", 0, "mountPath")?
                .string, "/app/data")
        XCTAssertThrowsError(try fixture.plan(ExportOptions(stateful: ["review": ""]))) { error in
            XCTAssertTrue("\(error)".contains("--stateful review=DIR"), "\(error)")
        }
        XCTAssertThrowsError(try fixture.plan(ExportOptions(stateful: ["reveiw": ""]))) { error in
            XCTAssertTrue("\(error)".contains("did you mean \"review\""), "\(error)")
        }
    }

    func testProbesGracePeriodAndMemoryLimitComeFromTheInstance() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "app", "port": 5151, "killTimeout": "1500ms", "maxMemory": "2G", "readyTimeout": "30s",
                   "ready": {"http": "/health"}},
                  {"name": "tcp", "kind": "process", "command": ["srv"], "port": 7000, "ready": {"tcp": 7000},
                   "maxMemory": "1000"},
                  {"name": "bare", "kind": "process", "command": ["worker"]}
                ]}
                """, env: "")
        let result = try fixture.kubernetes()
        let app = try XCTUnwrap(result.workload("app")?.at("spec", "template", "spec"))
        XCTAssertEqual(app["terminationGracePeriodSeconds"], .int(2))
        XCTAssertEqual(app.at("containers", 0, "readinessProbe", "httpGet", "path")?.string, "/health")
        XCTAssertEqual(app.at("containers", 0, "readinessProbe", "httpGet", "port"), .int(5151))
        XCTAssertNotNil(app.at("containers", 0, "livenessProbe", "httpGet"))
        XCTAssertEqual(app.at("containers", 0, "startupProbe", "failureThreshold"), .int(15))
        XCTAssertEqual(app.at("containers", 0, "resources", "limits", "memory")?.string, "2Gi")
        let tcp = try XCTUnwrap(result.workload("tcp")?.at("spec", "template", "spec", "containers", 0))
        XCTAssertEqual(tcp.at("readinessProbe", "tcpSocket", "port"), .int(7000))
        XCTAssertEqual(tcp.at("resources", "limits", "memory")?.string, "1000")
        XCTAssertEqual(
            result.workload("tcp")?.at("spec", "template", "spec", "terminationGracePeriodSeconds"), .int(10))
        let bare = try XCTUnwrap(result.workload("bare")?.at("spec", "template", "spec", "containers", 0))
        XCTAssertNil(bare["readinessProbe"])
        XCTAssertNil(bare["ports"])
        XCTAssertEqual(result.file("bare.yaml")?.documents.count, 1, "no port, no Service")
        XCTAssertEqual(result.file("app.yaml")?.documents[1]["kind"]?.string, "Service")
    }

    func testKeysWithoutAnEquivalentAreListedInWarnings() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "app", "port": 5151, "restart": "on-failure", "maxRestarts": 3, "minUptime": "1s",
                   "backoff": {"initial": "1s", "max": "1m"}, "stopSignal": "SIGINT", "dependsOn": ["worker"]},
                  {"name": "worker", "kind": "process", "command": ["w"]}
                ]}
                """, env: "")
        let warnings = try fixture.kubernetes().warnings
        for key in [
            "restart \"on-failure\"", "maxRestarts 3", "minUptime 1s", "backoff {initial: 1s, max: 1m}",
            "stopSignal SIGINT", "dependsOn worker",
        ] {
            XCTAssertTrue(warnings.contains { $0.hasPrefix("app: \(key)") }, "\(key) not in \(warnings)")
        }
        XCTAssertFalse(
            try ExportFixture.defaultConfig(env: Self.env).kubernetes().warnings.contains { $0.contains("equivalent") })
    }

    func testKustomizationListsEveryFileAndTheNamespaceIsSetEverywhere() throws {
        let result = try ExportFixture.defaultConfig(env: Self.env).kubernetes(ExportOptions(namespace: "labs"))
        let kustomization = try XCTUnwrap(result.file("kustomization.yaml")).documents[0]
        XCTAssertEqual(
            kustomization["resources"]?.items.compactMap(\.string), result.files.dropLast().map(\.name))
        XCTAssertEqual(kustomization["namespace"]?.string, "labs")
        XCTAssertEqual(result.files.first?.name, "namespace.yaml")
        for file in result.files where !["kustomization.yaml", "namespace.yaml"].contains(file.name) {
            for document in file.documents {
                XCTAssertEqual(document.at("metadata", "namespace")?.string, "labs", file.name)
            }
        }
    }

    func testNamesBecomeDNSLabelsAndCollisionsAreRefused() throws {
        XCTAssertEqual(ServiceName.from("Big_One"), "big-one")
        XCTAssertEqual(ServiceName.from("5151"), "i-5151")
        XCTAssertEqual(ServiceName.from("_x_"), "x")
        let fixture = try ExportFixture(
            config: #"{"instances": [{"name": "a_b", "port": 5151}, {"name": "a-b", "port": 5152}]}"#, env: "")
        XCTAssertThrowsError(try fixture.plan()) { error in
            XCTAssertTrue("\(error)".contains("both become \"a-b\""), "\(error)")
        }
    }

    func testAnInstanceThatDoesNotAutostartHasNoReplicaUnlessAnotherNeedsIt() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "manual", "port": 5151, "autostart": false},
                  {"name": "needed", "port": 5152, "autostart": false},
                  {"name": "app", "port": 5153, "dependsOn": ["needed"]}
                ]}
                """, env: "")
        let result = try fixture.kubernetes()
        XCTAssertEqual(result.workload("manual")?.at("spec", "replicas"), .int(0))
        XCTAssertEqual(result.workload("needed")?.at("spec", "replicas"), .int(1))
        XCTAssertEqual(result.workload("app")?.at("spec", "replicas"), .int(1))
    }

    func testDollarSignsReachTheContainerAsWrittenDespiteKubernetesExpansion() throws {
        // Kubernetes reads `$(NAME)` in env values, command and args as a reference, and `$$` as `$`.
        let fixture = try ExportFixture(
            config:
                #"{"instances": [{"name": "app", "kind": "process", "command": ["run", "$(HOME)", "5$"], "env": {"V": "a$$(B)c"}}]}"#,
            env: "")
        let container = try XCTUnwrap(
            fixture.kubernetes().workload("app")?.at("spec", "template", "spec", "containers", 0))
        XCTAssertEqual(container["args"]?.items.compactMap(\.string), ["$$(HOME)", "5$$"])
        // fom reads `$$` as `$` (the value is `a$(B)c`); Kubernetes must get it back as `a$$(B)c`.
        let v = container["env"]?.items.first { $0["name"]?.string == "V" }
        XCTAssertEqual(v?["value"]?.string, "a$$(B)c")
    }

    func testACommandThatHoldsASecretIsRefused() throws {
        let fixture = try ExportFixture(
            config:
                #"{"instances": [{"name": "app", "kind": "process", "command": ["run", "--pw=\#(Self.password)"]}]}"#,
            env: Self.env)
        XCTAssertThrowsError(try fixture.plan()) { error in
            XCTAssertTrue("\(error)".hasPrefix("app: its command holds the value of a secret variable"), "\(error)")
            XCTAssertFalse("\(error)".contains(Self.password))
        }
    }

    func testIgnoredEnvFileLinesAndAutostartAreReported() throws {
        let fixture = try ExportFixture(
            config: #"{"instances": [{"name": "app", "port": 5151, "autostart": false}]}"#,
            env: "FIFTYONE_CVAT_HEADERS=x\n")
        let plan = try fixture.plan()
        XCTAssertTrue(plan.warnings.contains { $0.hasPrefix("env file FIFTYONE_CVAT_HEADERS is ignored by fom") })
        XCTAssertTrue(plan.rewrites.contains { $0.hasPrefix("app: autostart false -> replicas 0") }, "\(plan.rewrites)")
        XCTAssertTrue(plan.sharedEnvironment.isEmpty)
    }

    func testSharedSecretsOfTheEnvFileAreReferencedByEveryInstance() throws {
        let result = try ExportFixture.defaultConfig(env: Self.env + "\nAPI_TOKEN=abcd-efgh\n").kubernetes()
        for service in ["annotate", "review", "mongodb"] {
            XCTAssertEqual(secretKeyRefs(result.workload(service))["API_TOKEN"], "API_TOKEN", service)
        }
        XCTAssertFalse(try XCTUnwrap(result.file("configmap.yaml")).text.contains("abcd-efgh"))
    }
}
