import Foundation
import XCTest

/// `fom export` on the repository's default supervisor.json, checked by the validators the
/// ecosystem uses: kubernetes-validate --strict (its schemas are bundled, so it runs offline) and
/// the Compose Specification's JSON schema (Schemas/compose-spec.json, copied from
/// github.com/compose-spec/compose-spec, schema/compose-spec.json at commit 170098ba07d9) with
/// jsonschema. scripts/setup installs both into .venv; a missing one fails the test.
final class ExportValidationTests: XCTestCase {
    var harness: FomHarness!
    static let password = "Export-Only-In-Secret-7781"

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    static var venv: String { EndToEndTests.repoRoot + "/.venv/bin" }

    /// The default supervisor.json and .env.example, with a password of its own and one shared value.
    func defaultFiles() throws -> FomHarness {
        let root = EndToEndTests.repoRoot
        let h = try FomHarness(config: try String(contentsOfFile: root + "/supervisor.json", encoding: .utf8))
        var env = try String(contentsOfFile: root + "/.env.example", encoding: .utf8)
        env = env.replacingOccurrences(of: "CVAT_PASSWORD='change-me'", with: "CVAT_PASSWORD='\(Self.password)'")
        XCTAssertTrue(env.contains(Self.password), ".env.example no longer sets CVAT_PASSWORD='change-me'")
        try h.write(".env", env + "FIFTYONE_PLUGINS_DIR=/plugins\n")
        harness = h
        return h
    }

    /// Runs a program of .venv with arguments; fails the test when it is missing.
    func runTool(_ tool: String, _ arguments: [String], input: String? = nil) throws -> (code: Int32, output: String) {
        let path = Self.venv + "/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("\(path) is missing: scripts/setup installs it")
            throw NSError(domain: "missing \(path)", code: 1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func manifests(_ h: FomHarness, _ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: h.path(directory)).filter {
            $0.hasSuffix(".yaml") && $0 != "kustomization.yaml"
        }.sorted().map { h.path(directory + "/" + $0) }
    }

    func testKubernetesManifestsOfTheDefaultConfigPassKubernetesValidateStrict() throws {
        let h = try defaultFiles()
        let export = h.fom("export", "kubernetes", "-o", "k8s")
        XCTAssertEqual(export.code, 0, export.err)
        let files = try manifests(h, "k8s")
        XCTAssertEqual(
            files.map { URL(fileURLWithPath: $0).lastPathComponent },
            ["annotate.yaml", "configmap.yaml", "mongodb.yaml", "review.yaml", "secret.yaml"])
        let result = try runTool("kubernetes-validate", ["--strict"] + files)
        XCTAssertEqual(result.code, 0, result.output)
        for resource in [
            "deployment/annotate", "service/annotate", "deployment/review", "statefulset/mongodb", "service/mongodb",
            "configmap/fom-env", "secret/fom-secrets",
        ] {
            XCTAssertTrue(result.output.contains("passed for resource \(resource)"), "\(resource): \(result.output)")
        }
        XCTAssertFalse(export.out.contains(Self.password) || export.err.contains(Self.password))
        // Every address rewrite is reported.
        XCTAssertTrue(
            export.err.contains("annotate: FIFTYONE_DATABASE_URI: 127.0.0.1:27017 -> mongodb:27017"), export.err)
        XCTAssertTrue(
            export.err.contains("review: FIFTYONE_DATABASE_URI: 127.0.0.1:27017 -> mongodb:27017"), export.err)
        XCTAssertNil(h.daemonPid(), "export must not start the daemon")
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path(".fom/fom.sock")))
    }

    func testEveryOptionStillGivesValidManifests() throws {
        let h = try defaultFiles()
        let export = h.fom(
            "export", "kubernetes", "--namespace", "labs", "--image", "registry.local/fo:1", "--image",
            "mongodb=mongo:7.0", "--stateful", "review=data/review", "--no-secrets", "-o", "out/k8s")
        XCTAssertEqual(export.code, 0, export.err)
        let files = try manifests(h, "out/k8s")
        XCTAssertTrue(files.contains { $0.hasSuffix("/namespace.yaml") })
        let result = try runTool("kubernetes-validate", ["--strict"] + files)
        XCTAssertEqual(result.code, 0, result.output)
        XCTAssertTrue(result.output.contains("passed for resource statefulset/review"), result.output)
        let review = h.read("out/k8s/review.yaml")
        XCTAssertTrue(review.contains("image: registry.local/fo:1"), review)
        XCTAssertTrue(h.read("out/k8s/mongodb.yaml").contains("image: mongo:7.0"))
        XCTAssertTrue(h.read("out/k8s/secret.yaml").contains("CVAT_PASSWORD: \"\""))
        XCTAssertFalse(h.read("out/k8s/secret.yaml").contains(Self.password))
    }

    func testAnUnusualConfigStillGivesValidFiles() throws {
        // Names that are no DNS labels, values YAML would misread, `$`, multi-line values, a
        // secret of an instance's own, autostart false, a tcp check, a memory limit.
        let h = try FomHarness(
            config: """
                {"instances": [
                  {"name": "Web_App", "port": 8000, "kind": "process", "command": ["/usr/bin/env", "python3", "-m",
                   "http.server", "{port}", "--bind", "{address}"], "ready": {"http": "/"}, "maxMemory": "300M",
                   "autostart": false, "restart": "on-failure", "maxRestarts": 2, "cwd": "sub", "dependsOn": ["api"],
                   "env": {"BACKEND": "http://localhost:9000/api", "QUOTE": "it's \\"x\\" $$5 $$(HOME)", "EMPTY": "",
                           "YES": "yes", "NUM": "0755", "COLON": "a: b #c"}},
                  {"name": "api", "kind": "process", "command": ["./bin/api", "--listen=127.0.0.1"], "port": 9000,
                   "ready": {"tcp": 9000}, "stopSignal": "SIGINT", "killTimeout": "2500ms", "cvatSync": true,
                   "env": {"CVAT_URL": "http://other-cvat:8080", "SESSION_SECRET": "very-secret-value"}}
                ]}
                """)
        harness = h
        try FileManager.default.createDirectory(atPath: h.path("sub"), withIntermediateDirectories: true)
        try h.write(
            ".env", "CVAT_URL=http://cvat:8080\nCVAT_USERNAME=u\nCVAT_PASSWORD=pw-12345\nMULTI=\"a\nb\"\nON=on\n")
        let export = h.fom("export", "kubernetes", "--namespace", "team-a", "-o", "k8s")
        XCTAssertEqual(export.code, 0, export.err)
        let result = try runTool("kubernetes-validate", ["--strict"] + manifests(h, "k8s"))
        XCTAssertEqual(result.code, 0, result.output)
        XCTAssertEqual(h.fom("export", "compose").code, 0)
        let compose = try validateCompose(h.path("compose.yaml"))
        XCTAssertEqual(compose.code, 0, compose.output)
        for file in try manifests(h, "k8s") + [h.path("compose.yaml"), h.path("fom-shared.env")]
        where !file.hasSuffix("/secret.yaml") {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            XCTAssertFalse(text.contains("pw-12345") || text.contains("very-secret-value"), file)
        }
    }

    func testTheValidatorsRejectWhatIsWrong() throws {
        // So that a pass above means something: a field Kubernetes does not know, a compose key
        // the specification does not have.
        let h = try defaultFiles()
        XCTAssertEqual(h.fom("export", "kubernetes", "-o", "k8s").code, 0)
        let bad = h.read("k8s/review.yaml").replacingOccurrences(of: "workingDir:", with: "workDir:")
        try h.write("bad.yaml", bad)
        XCTAssertNotEqual(try runTool("kubernetes-validate", ["--strict", h.path("bad.yaml")]).code, 0)
        XCTAssertEqual(h.fom("export", "compose", "-o", "compose.yaml").code, 0)
        let badCompose = h.read("compose.yaml").replacingOccurrences(of: "working_dir:", with: "workdir:")
        try h.write("bad-compose.yaml", badCompose)
        XCTAssertNotEqual(try validateCompose(h.path("bad-compose.yaml")).code, 0)
    }

    func validateCompose(_ file: String) throws -> (code: Int32, output: String) {
        let schema = EndToEndTests.repoRoot + "/Tests/IntegrationTests/Schemas/compose-spec.json"
        let script = """
            import json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            document = yaml.safe_load(open(sys.argv[2]))
            # The file says "$schema": "https://json-schema.org/draft-07/schema" (no trailing #),
            # which jsonschema does not recognise: name draft 7 ourselves.
            jsonschema.Draft7Validator.check_schema(schema)
            jsonschema.Draft7Validator(schema).validate(document)
            print("valid")
            """
        return try runTool("python", ["-c", script, schema, file])
    }

    func testComposeFileOfTheDefaultConfigPassesTheComposeSpecification() throws {
        let h = try defaultFiles()
        let export = h.fom("export", "compose", "-o", "deploy/compose.yaml")
        XCTAssertEqual(export.code, 0, export.err)
        XCTAssertEqual(export.out, "deploy/compose.yaml\ndeploy/fom-shared.env\n")
        let result = try validateCompose(h.path("deploy/compose.yaml"))
        XCTAssertEqual(result.code, 0, result.output)
        XCTAssertEqual(result.output, "valid\n")
        let compose = h.read("deploy/compose.yaml")
        let shared = h.read("deploy/fom-shared.env")
        XCTAssertEqual(shared, "FIFTYONE_PLUGINS_DIR='/plugins'\n")
        XCTAssertFalse(compose.contains(Self.password) || shared.contains(Self.password))
        XCTAssertTrue(compose.contains("condition: service_healthy"))
        XCTAssertTrue(export.err.contains("--env-file \(h.path(".env"))"), export.err)
    }

    func testCVATPasswordIsOnlyInTheSecretFile() throws {
        let h = try defaultFiles()
        XCTAssertEqual(h.fom("export", "kubernetes", "-o", "k8s").code, 0)
        XCTAssertEqual(h.fom("export", "compose").code, 0)
        var holders: [String] = []
        for file in try manifests(h, "k8s") + [h.path("k8s/kustomization.yaml"), h.path("compose.yaml")] {
            if (try String(contentsOfFile: file, encoding: .utf8)).contains(Self.password) {
                holders.append(URL(fileURLWithPath: file).lastPathComponent)
            }
        }
        XCTAssertEqual(holders, ["secret.yaml"])
        let mode =
            try FileManager.default.attributesOfItem(atPath: h.path("k8s/secret.yaml"))[.posixPermissions] as? Int
        XCTAssertEqual(mode.map { $0 & 0o077 }, 0, "secret.yaml readable by others")
        let annotate = h.read("k8s/annotate.yaml")
        let review = h.read("k8s/review.yaml")
        XCTAssertTrue(annotate.contains("name: FIFTYONE_CVAT_PASSWORD"))
        XCTAssertFalse(review.contains("CVAT"))
        XCTAssertFalse(h.read("k8s/mongodb.yaml").contains("CVAT"))
    }

    func testUsageErrorsNameWhatIsWrong() throws {
        let h = try defaultFiles()
        let none = h.fom("export")
        XCTAssertEqual(none.code, 2)
        XCTAssertTrue(none.err.contains("fom export kubernetes|compose"), none.err)
        let typo = h.fom("export", "kubernets")
        XCTAssertEqual(typo.code, 2)
        XCTAssertTrue(typo.err.contains("did you mean \"kubernetes\""), typo.err)
        let wrongFlag = h.fom("export", "compose", "--no-secrets")
        XCTAssertEqual(wrongFlag.code, 2)
        XCTAssertTrue(wrongFlag.err.contains("--no-secrets is for kubernetes only"), wrongFlag.err)
        let badNamespace = h.fom("export", "kubernetes", "--namespace", "Not_OK")
        XCTAssertEqual(badNamespace.code, 2, badNamespace.err)
        let unknown = h.fom("export", "kubernetes", "--stateful", "reveiw")
        XCTAssertEqual(unknown.code, 1)
        XCTAssertTrue(unknown.err.contains("did you mean \"review\""), unknown.err)
        // A synced instance without the CVAT inputs fails as validate does, unless --no-secrets.
        try h.write(".env", "")
        let missing = h.fom("export", "kubernetes")
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.err.contains("CVAT_URL"), missing.err)
        XCTAssertEqual(h.fom("export", "kubernetes", "--no-secrets").code, 0)
    }
}
