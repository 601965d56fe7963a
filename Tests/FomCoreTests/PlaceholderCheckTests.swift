import FomCore
import XCTest

/// Values of an env file still left as the example's placeholders.
final class PlaceholderCheckTests: XCTestCase {
    func entries(_ text: String) throws -> [DotEnvEntry] { try DotEnv.parse(text, file: ".env", lookup: { _ in nil }) }

    func testSecretCopiedFromTheExampleAndValuesThatSayPlaceholderAreFound() throws {
        let example = try entries("CVAT_URL=http://localhost:8080\nCVAT_USERNAME=fiftyone\nCVAT_PASSWORD='change-me'\n")
        let env = try entries(
            "CVAT_URL=http://localhost:8080\nCVAT_USERNAME=fiftyone\nCVAT_PASSWORD='change-me'\nAPI_TOKEN=your-token\nNOTE=<fill in>\n"
        )
        XCTAssertEqual(
            PlaceholderCheck.findings(env: env, example: example).map(\.key), ["CVAT_PASSWORD", "API_TOKEN", "NOTE"])
        XCTAssertEqual(PlaceholderCheck.findings(env: env, example: example).first?.line, 3)
    }

    func testRealValuesAndCopiedNonSecretsPass() throws {
        let example = try entries("CVAT_URL=http://localhost:8080\nDB_PASSWORD=example\n")
        let env = try entries("CVAT_URL=http://localhost:8080\nDB_PASSWORD=hunter2\nEMPTY=\n")
        XCTAssertEqual(PlaceholderCheck.findings(env: env, example: example), [])
    }

    func testTheLastDefinitionCounts() throws {
        let env = try entries("CVAT_PASSWORD=change-me\nCVAT_PASSWORD=real\n")
        XCTAssertEqual(PlaceholderCheck.findings(env: env, example: []), [])
    }
}
