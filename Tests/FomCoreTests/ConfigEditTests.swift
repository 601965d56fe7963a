import FomCore
import XCTest

/// Edits of supervisor.json's text: the lines of the instance concerned change, and every other
/// byte stays as it was. Each expected text is the whole file.
final class ConfigEditTests: XCTestCase {
    /// The repository's default supervisor.json, verbatim.
    static let defaultFile =
        """
        {
          "envFile": ".env",
          "logs": { "dir": ".fom/logs", "maxSize": "10M", "keep": 5, "timestamps": false },
          "instances": [
            {
              "name": "annotate",
              "port": 5151,
              "cvatSync": true,
              "dependsOn": ["mongodb"],
              "env": {
                "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                "FIFTYONE_DATABASE_NAME": "annotate",
                "FIFTYONE_DO_NOT_TRACK": "true"
              }
            },
            {
              "name": "review",
              "port": 5152,
              "dependsOn": ["mongodb"],
              "env": {
                "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                "FIFTYONE_DATABASE_NAME": "review",
                "FIFTYONE_DO_NOT_TRACK": "true"
              }
            },
            {
              "name": "mongodb",
              "kind": "process",
              "port": 27017,
              "command": [".venv/mongodb/bin/mongod", "--dbpath", ".fom/data/db", "--port", "{port}",
                          "--bind_ip", "127.0.0.1", "--quiet", "--wiredTigerCacheSizeGB", "0.25"],
              "ready": { "tcp": 27017 },
              "killTimeout": "20s"
            }
          ]
        }

        """

    private let path = "/srv/stack/supervisor.json"

    /// `text` with `old` (which must occur exactly once) replaced by `new`.
    private func replacing(_ old: String, with new: String, in text: String = defaultFile) -> String {
        let parts = text.components(separatedBy: old)
        XCTAssertEqual(parts.count, 2, "\(old) must occur exactly once")
        return parts.joined(separator: new)
    }

    private func loads(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try SupervisorConfig.parse(text: text, path: path), file: file, line: line)
    }

    // MARK: edit

    func testCvatSyncOnForReviewAddsOneLineAfterItsPort() throws {
        var text = ConfigText(Self.defaultFile)
        XCTAssertTrue(try InstanceEdit.set(key: "cvatSync", value: true).apply(to: &text, instance: "review"))
        let expected = """
            {
              "envFile": ".env",
              "logs": { "dir": ".fom/logs", "maxSize": "10M", "keep": 5, "timestamps": false },
              "instances": [
                {
                  "name": "annotate",
                  "port": 5151,
                  "cvatSync": true,
                  "dependsOn": ["mongodb"],
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "annotate",
                    "FIFTYONE_DO_NOT_TRACK": "true"
                  }
                },
                {
                  "name": "review",
                  "port": 5152,
                  "cvatSync": true,
                  "dependsOn": ["mongodb"],
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "review",
                    "FIFTYONE_DO_NOT_TRACK": "true"
                  }
                },
                {
                  "name": "mongodb",
                  "kind": "process",
                  "port": 27017,
                  "command": [".venv/mongodb/bin/mongod", "--dbpath", ".fom/data/db", "--port", "{port}",
                              "--bind_ip", "127.0.0.1", "--quiet", "--wiredTigerCacheSizeGB", "0.25"],
                  "ready": { "tcp": 27017 },
                  "killTimeout": "20s"
                }
              ]
            }

            """
        XCTAssertEqual(text.text, expected)
        loads(text.text)
    }

    func testCvatSyncOnThenOffGivesBackTheFileByteForByte() throws {
        var text = ConfigText(Self.defaultFile)
        _ = try InstanceEdit.set(key: "cvatSync", value: true).apply(to: &text, instance: "review")
        XCTAssertNotEqual(text.text, Self.defaultFile)
        XCTAssertTrue(try InstanceEdit.remove(key: "cvatSync").apply(to: &text, instance: "review"))
        XCTAssertEqual(text.text, Self.defaultFile)
    }

    func testCvatSyncOffForAnnotateTakesOutItsLineOnly() throws {
        var text = ConfigText(Self.defaultFile)
        XCTAssertTrue(try text.removeKey("cvatSync", instance: "annotate"))
        XCTAssertEqual(
            text.text,
            replacing("      \"port\": 5151,\n      \"cvatSync\": true,\n", with: "      \"port\": 5151,\n"))
        XCTAssertFalse(try text.removeKey("cvatSync", instance: "annotate"), "nothing left to remove")
    }

    func testEnvVariableIsReplacedInPlaceOrAppendedAsTheLastLineOfEnv() throws {
        var text = ConfigText(Self.defaultFile)
        try text.setEnv("FIFTYONE_DATABASE_NAME", "reviews", instance: "review")
        try text.setEnv("CVAT_URL", "http://cvat.example:8080", instance: "review")
        XCTAssertEqual(
            text.text,
            replacing(
                """
                        "FIFTYONE_DATABASE_NAME": "review",
                        "FIFTYONE_DO_NOT_TRACK": "true"
                      }
                """,
                with: """
                            "FIFTYONE_DATABASE_NAME": "reviews",
                            "FIFTYONE_DO_NOT_TRACK": "true",
                            "CVAT_URL": "http://cvat.example:8080"
                          }
                    """))
        loads(text.text)
    }

    func testUnsetEnvTakesOutTheLineAndEnvItselfWhenItIsLeftEmpty() throws {
        var text = ConfigText(Self.defaultFile)
        XCTAssertTrue(try text.unsetEnv("FIFTYONE_DO_NOT_TRACK", instance: "review"))
        XCTAssertEqual(
            text.text,
            replacing(
                "\"review\",\n        \"FIFTYONE_DO_NOT_TRACK\": \"true\"\n", with: "\"review\"\n"))
        XCTAssertFalse(try text.unsetEnv("NOT_THERE", instance: "review"))
        try text.unsetEnv("FIFTYONE_DATABASE_URI", instance: "review")
        try text.unsetEnv("FIFTYONE_DATABASE_NAME", instance: "review")
        XCTAssertEqual(
            text.text,
            replacing(
                """
                      "dependsOn": ["mongodb"],
                      "env": {
                        "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                        "FIFTYONE_DATABASE_NAME": "review",
                        "FIFTYONE_DO_NOT_TRACK": "true"
                      }
                    },
                    {
                      "name": "mongodb",
                """,
                with: """
                          "dependsOn": ["mongodb"]
                        },
                        {
                          "name": "mongodb",
                    """))
        loads(text.text)
    }

    func testEnvIsCreatedOverLinesAfterTheLastKeyThatPrecedesItInTheDocumentedOrder() throws {
        var text = ConfigText(Self.defaultFile)
        try text.setEnv("MONGO_INITDB", "1", instance: "mongodb")
        XCTAssertEqual(
            text.text,
            replacing(
                "\"0.25\"],\n",
                with: "\"0.25\"],\n      \"env\": {\n        \"MONGO_INITDB\": \"1\"\n      },\n"))
        loads(text.text)
    }

    func testPortIsReplacedWhereItIs() throws {
        var text = ConfigText(Self.defaultFile)
        try text.setKey("port", JSONValue(5160), instance: "review")
        XCTAssertEqual(text.text, replacing("\"port\": 5152,", with: "\"port\": 5160,"))
    }

    func testNewKeysFollowTheDocumentedOrderAndValuesAreWrittenOnOneLine() throws {
        var text = ConfigText(Self.defaultFile)
        try text.setKey("autostart", false, instance: "review")
        try text.setKey("backoff", ["initial": "1s", "max": "1m"], instance: "review")
        try text.setKey("command", ["{python}", "-m", "fiftyone.server.main"], instance: "review")
        XCTAssertEqual(
            text.text,
            replacing(
                """
                      "name": "review",
                      "port": 5152,
                      "dependsOn": ["mongodb"],
                      "env": {
                        "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                        "FIFTYONE_DATABASE_NAME": "review",
                        "FIFTYONE_DO_NOT_TRACK": "true"
                      }
                """,
                with: """
                          "name": "review",
                          "command": ["{python}", "-m", "fiftyone.server.main"],
                          "port": 5152,
                          "dependsOn": ["mongodb"],
                          "env": {
                            "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                            "FIFTYONE_DATABASE_NAME": "review",
                            "FIFTYONE_DO_NOT_TRACK": "true"
                          },
                          "autostart": false,
                          "backoff": { "initial": "1s", "max": "1m" }
                    """))
        loads(text.text)
    }

    func testAStringWithEscapesIsWrittenAsValidJSON() throws {
        var text = ConfigText(Self.defaultFile)
        try text.setEnv("GREETING", "say \"hi\"\n\\o/ ✓", instance: "review")
        let config = try SupervisorConfig.parse(text: text.text, path: path)
        XCTAssertEqual(config.instance(named: "review")?.envValue("GREETING"), "say \"hi\"\n\\o/ ✓")
    }

    // MARK: add

    func testAddedInstanceIsAppendedIndentedLikeItsSiblings() throws {
        var text = ConfigText(Self.defaultFile)
        let config = try SupervisorConfig.parse(text: Self.defaultFile, path: path)
        var third = NewInstance(name: "third")
        third.port = 5153
        let (object, _) = third.object(joining: config.instances)
        try text.appendInstance(object)
        let expected = """
            {
              "envFile": ".env",
              "logs": { "dir": ".fom/logs", "maxSize": "10M", "keep": 5, "timestamps": false },
              "instances": [
                {
                  "name": "annotate",
                  "port": 5151,
                  "cvatSync": true,
                  "dependsOn": ["mongodb"],
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "annotate",
                    "FIFTYONE_DO_NOT_TRACK": "true"
                  }
                },
                {
                  "name": "review",
                  "port": 5152,
                  "dependsOn": ["mongodb"],
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "review",
                    "FIFTYONE_DO_NOT_TRACK": "true"
                  }
                },
                {
                  "name": "mongodb",
                  "kind": "process",
                  "port": 27017,
                  "command": [".venv/mongodb/bin/mongod", "--dbpath", ".fom/data/db", "--port", "{port}",
                              "--bind_ip", "127.0.0.1", "--quiet", "--wiredTigerCacheSizeGB", "0.25"],
                  "ready": { "tcp": 27017 },
                  "killTimeout": "20s"
                },
                {
                  "name": "third",
                  "port": 5153,
                  "dependsOn": ["mongodb"],
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "third"
                  }
                }
              ]
            }

            """
        XCTAssertEqual(text.text, expected)
        let added = try SupervisorConfig.parse(text: text.text, path: path).instance(named: "third")
        XCTAssertEqual(added?.dependsOn, ["mongodb"])
        XCTAssertEqual(added?.envValue("FIFTYONE_DATABASE_NAME"), "third")
    }

    func testAddThenRemoveGivesBackTheFileByteForByte() throws {
        var text = ConfigText(Self.defaultFile)
        try text.appendInstance(["name": "x", "kind": "process", "command": ["sleep", "1"]])
        try text.removeInstance(named: "x")
        XCTAssertEqual(text.text, Self.defaultFile)
    }

    func testAddToAnEmptyListOpensItOverLines() throws {
        var text = ConfigText("{\n  \"instances\": []\n}\n")
        try text.appendInstance(["name": "web", "port": 8080, "env": ["A": "1"]])
        XCTAssertEqual(
            text.text,
            """
            {
              "instances": [
                {
                  "name": "web",
                  "port": 8080,
                  "env": {
                    "A": "1"
                  }
                }
              ]
            }

            """)
        loads(text.text)
    }

    func testAFileWrittenOnOneLineStaysOnOneLine() throws {
        var text = ConfigText(#"{"instances": [{"name": "a", "port": 5151}]}"#)
        try text.setKey("cvatSync", true, instance: "a")
        try text.appendInstance(["name": "b", "port": 5152])
        XCTAssertEqual(
            text.text, #"{"instances": [{"name": "a", "port": 5151, "cvatSync": true}, { "name": "b", "port": 5152 }]}"#
        )
        loads(text.text)
    }

    func testInstancesWrittenBraceToBraceGetTheNewOneInTheSameStyle() throws {
        var text = ConfigText(
            """
            {
              "instances": [{
                "name": "a",
                "port": 5151
              }, {
                "name": "b",
                "port": 5152
              }]
            }
            """)
        try text.appendInstance(["name": "c", "port": 5153])
        XCTAssertEqual(
            text.text,
            """
            {
              "instances": [{
                "name": "a",
                "port": 5151
              }, {
                "name": "b",
                "port": 5152
              }, {
                "name": "c",
                "port": 5153
              }]
            }
            """)
        loads(text.text)
    }

    func testTabsAndCRLFLineEndingsAreKept() throws {
        let original =
            "{\r\n\t\"instances\": [\r\n\t\t{\r\n\t\t\t\"name\": \"a\",\r\n\t\t\t\"port\": 5151\r\n\t\t}\r\n\t]\r\n}\r\n"
        var text = ConfigText(original)
        try text.setEnv("A", "1", instance: "a")
        try text.appendInstance(["name": "b", "port": 5152])
        XCTAssertEqual(
            text.text,
            "{\r\n\t\"instances\": [\r\n\t\t{\r\n\t\t\t\"name\": \"a\",\r\n\t\t\t\"port\": 5151,\r\n"
                + "\t\t\t\"env\": {\r\n\t\t\t\t\"A\": \"1\"\r\n\t\t\t}\r\n\t\t},\r\n"
                + "\t\t{\r\n\t\t\t\"name\": \"b\",\r\n\t\t\t\"port\": 5152\r\n\t\t}\r\n\t]\r\n}\r\n")
        loads(text.text)
    }

    // MARK: remove

    func testRemovingTheMiddleInstanceTakesOutExactlyItsLines() throws {
        var text = ConfigText(Self.defaultFile)
        try text.removeInstance(named: "review")
        XCTAssertEqual(
            text.text,
            replacing(
                """
                    {
                      "name": "review",
                      "port": 5152,
                      "dependsOn": ["mongodb"],
                      "env": {
                        "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                        "FIFTYONE_DATABASE_NAME": "review",
                        "FIFTYONE_DO_NOT_TRACK": "true"
                      }
                    },

                """, with: ""))
        loads(text.text)
    }

    func testRemovingTheFirstAndTheLastInstanceLeavesNoStrayComma() throws {
        var first = ConfigText(Self.defaultFile)
        try first.removeInstance(named: "annotate")
        XCTAssertTrue(first.text.hasPrefix("{\n  \"envFile\": \".env\",\n"))
        XCTAssertTrue(first.text.contains("  \"instances\": [\n    {\n      \"name\": \"review\",\n"), first.text)
        XCTAssertNoThrow(try JSONValue(parsing: first.text))

        var last = ConfigText(Self.defaultFile)
        try last.removeInstance(named: "mongodb")
        for other in ["annotate", "review"] { try last.removeDependency("mongodb", instance: other) }
        XCTAssertTrue(last.text.hasSuffix("\"true\"\n      }\n    }\n  ]\n}\n"), last.text)
        XCTAssertFalse(last.text.contains("dependsOn"))
        loads(last.text)
        XCTAssertEqual(try last.instanceNames(), ["annotate", "review"])
    }

    func testRemovingTheOnlyInstanceLeavesAnEmptyList() throws {
        var text = ConfigText("{\n  \"instances\": [\n    { \"name\": \"a\", \"port\": 1 }\n  ]\n}\n")
        try text.removeInstance(named: "a")
        XCTAssertEqual(text.text, "{\n  \"instances\": []\n}\n")
    }

    func testRemovingOneOfSeveralDependencies() throws {
        var text = ConfigText(
            replacing(
                "\"dependsOn\": [\"mongodb\"],\n      \"env\": {\n        \"FIFTYONE_DATABASE_URI\": \"mongodb://127.0.0.1:27017\",\n        \"FIFTYONE_DATABASE_NAME\": \"review\"",
                with:
                    "\"dependsOn\": [\"annotate\", \"mongodb\"],\n      \"env\": {\n        \"FIFTYONE_DATABASE_URI\": \"mongodb://127.0.0.1:27017\",\n        \"FIFTYONE_DATABASE_NAME\": \"review\""
            ))
        XCTAssertTrue(try text.removeDependency("annotate", instance: "review"))
        XCTAssertEqual(text.text, Self.defaultFile)
        XCTAssertFalse(try text.removeDependency("annotate", instance: "review"))
    }

    func testAnInstanceNotInTheFileIsAnError() {
        var text = ConfigText(Self.defaultFile)
        XCTAssertThrowsError(try text.setKey("port", 1, instance: "nope")) { error in
            XCTAssertEqual((error as? ConfigEditError)?.message, "no instance named \"nope\" in the file")
        }
        XCTAssertThrowsError(try ConfigText("{\"instances\": [}").instanceNames())
    }

    // MARK: what add writes

    func testFiftyOneInstanceGetsTheOnlyMongoDBAndADatabaseOfItsOwn() throws {
        let config = try SupervisorConfig.parse(text: Self.defaultFile, path: path)
        var third = NewInstance(name: "third")
        third.port = 5153
        third.cvatSync = true
        third.autostart = false
        third.database = "shared"
        third.dependsOn = ["annotate"]
        third.env = [("FIFTYONE_DO_NOT_TRACK", "true"), ("FIFTYONE_DATABASE_NAME", "override")]
        let (object, notes) = third.object(joining: config.instances)
        XCTAssertEqual(
            JSONValue.object(object).serialized(),
            #"{"name":"third","port":5153,"cvatSync":true,"autostart":false,"dependsOn":["mongodb","annotate"],"env":{"FIFTYONE_DATABASE_URI":"mongodb://127.0.0.1:27017","FIFTYONE_DATABASE_NAME":"override","FIFTYONE_DO_NOT_TRACK":"true"}}"#
        )
        XCTAssertEqual(object.keys, ["name", "port", "cvatSync", "autostart", "dependsOn", "env"])
        XCTAssertEqual(notes, ["database \"override\" on mongodb (mongodb://127.0.0.1:27017)"])
    }

    func testWithoutExactlyOneMongoDBNoDatabaseAddressIsGuessed() throws {
        let none = try SupervisorConfig.parse(text: #"{"instances": []}"#, path: path)
        let (alone, aloneNotes) = NewInstance(name: "solo").object(joining: none.instances)
        XCTAssertEqual(alone["env"], ["FIFTYONE_DATABASE_NAME": "solo"])
        XCTAssertNil(alone["dependsOn"])
        XCTAssertTrue(aloneNotes[0].hasPrefix("no MongoDB instance in the file"), aloneNotes[0])

        let two = try SupervisorConfig.parse(
            text: """
                {"instances": [
                  {"name": "m1", "kind": "process", "command": ["mongod", "--port", "1"]},
                  {"name": "m2", "kind": "process", "command": ["/usr/bin/mongod", "--port", "2"]}
                ]}
                """, path: path)
        let (pair, pairNotes) = NewInstance(name: "x").object(joining: two.instances)
        XCTAssertNil(pair["dependsOn"])
        XCTAssertNil(pair["env"]?["FIFTYONE_DATABASE_URI"])
        XCTAssertTrue(pairNotes[0].hasPrefix("several MongoDB instances (m1, m2)"), pairNotes[0])
    }

    func testMongoDBAddressAndPortComeFromItsCommandLine() throws {
        let config = try SupervisorConfig.parse(
            text: """
                {"instances": [
                  {"name": "a", "kind": "process", "command": ["mongod", "--port={port}", "--bind_ip_all"], "port": 27018},
                  {"name": "b", "kind": "process", "command": ["/opt/mongod", "--bind_ip", "10.0.0.5,127.0.0.1"]},
                  {"name": "c", "kind": "process", "command": ["mongodb-tools"], "port": 1}
                ]}
                """, path: path)
        XCTAssertEqual(
            MongoDBInstance.all(in: config.instances),
            [
                MongoDBInstance(name: "a", uri: "mongodb://127.0.0.1:27018"),
                MongoDBInstance(name: "b", uri: "mongodb://10.0.0.5:27017"),
            ])
        XCTAssertNil(MongoDBInstance.find(in: config.instances), "two of them: none is chosen")
    }

    func testProcessInstanceIsWrittenWithItsCommandAndNoDatabase() throws {
        let config = try SupervisorConfig.parse(text: Self.defaultFile, path: path)
        var worker = NewInstance(name: "worker", kind: .process)
        worker.command = ["/bin/sh", "-c", "exec sleep 100"]
        let (object, notes) = worker.object(joining: config.instances)
        XCTAssertEqual(
            JSONValue.object(object).serialized(),
            #"{"name":"worker","kind":"process","command":["/bin/sh","-c","exec sleep 100"]}"#)
        XCTAssertEqual(notes, [])
    }
}
