import XCTest

@testable import FomCore

/// The tricky lines of the docker compose `.env` dialect, each with its exact result or error.
/// Expected values follow compose-go's `dotenv` and `template` packages, except the deliberate
/// differences listed on `DotEnv` (marked "fom:" below).
final class DotEnvGoldenTests: XCTestCase {
    enum Expected {
        case entries(KeyValuePairs<String, String>)
        case error(String)
    }

    struct Case {
        let input: String
        let expected: Expected
        var lookup: [String: String] = DotEnvGoldenTests.environment
        let sourceLine: UInt
    }

    /// The supervisor's environment the golden lines are read in.
    static let environment = ["HOME": "/home/fom", "EMPTY": "", "USER": "shell-user"]

    static func c(
        _ input: String, _ expected: Expected, lookup: [String: String] = environment, line: UInt = #line
    ) -> Case {
        Case(input: input, expected: expected, lookup: lookup, sourceLine: line)
    }

    static let cases: [Case] = [
        // Plain values, blanks and trimming.
        c("A=b", .entries(["A": "b"])),
        c("A = b", .entries(["A": "b"])),
        c("   A=b", .entries(["A": "b"])),
        c("\tA\t=\tb\t", .entries(["A": "b"])),
        c("A=b   ", .entries(["A": "b"])),
        c("A=  spaced  value  ", .entries(["A": "spaced  value"])),
        c("A=b=c", .entries(["A": "b=c"])),
        c("A=b:c", .entries(["A": "b:c"])),
        c("A=postgres://u@h:5432/db?sslmode=disable", .entries(["A": "postgres://u@h:5432/db?sslmode=disable"])),

        // Inline comments: only after a space, in unquoted values.
        c("A=b #c", .entries(["A": "b"])),
        c("A=b#c", .entries(["A": "b#c"])),
        c("A=b\t#c", .entries(["A": "b\t#c"])),
        c("A=#c", .entries(["A": "#c"])),
        c("A= #c", .entries(["A": "#c"])),
        c("A=b # c # d", .entries(["A": "b"])),
        c(#"A="b" # c"#, .entries(["A": "b"])),
        c(##"A="b"#c"##, .entries(["A": "b"])),
        c(#"A="b#c""#, .entries(["A": "b#c"])),
        c("A='b # c' # d", .entries(["A": "b # c"])),
        c("# comment\n  # indented comment\n\nA=b", .entries(["A": "b"])),

        // export and the YAML-style colon.
        c("export A=b", .entries(["A": "b"])),
        c("export\tA=b", .entries(["A": "b"])),
        c("  export A=b", .entries(["A": "b"])),
        c("exportA=b", .entries(["exportA": "b"])),
        c("export.A=b", .entries(["export.A": "b"])),
        c("export_A =b", .entries(["export_A": "b"])),
        c("export HOME", .entries(["HOME": "/home/fom"])),
        c("export \nA=b", .entries(["A": "b"])),
        c("A: b", .entries(["A": "b"])),
        c("A:b=c", .entries(["A": "b=c"])),
        c("A: Foo=bar", .entries(["A": "Foo=bar"])),

        // Bare names take their value from the environment.
        c("HOME\n", .entries(["HOME": "/home/fom"])),
        c("MISSING\n", .entries([:])),
        c("EMPTY\n", .entries(["EMPTY": ""])),
        c("HOME", .entries(["HOME": "/home/fom"])),  // fom: compose-go sets "" to "HOME" here
        c("A=1\nA\n", .entries(["A": "1"])),
        c("USER=file\nUSER\n", .entries(["USER": "shell-user"])),

        // Empty values.
        c("A=", .entries(["A": ""])),
        c("A=\nB=c", .entries(["A": "", "B": "c"])),
        c(#"A="""#, .entries(["A": ""])),
        c("A=''", .entries(["A": ""])),

        // Quotes, escapes and multi-line values.
        c(#"A = "b""#, .entries(["A": "b"])),
        c(#"A="'d'""#, .entries(["A": "'d'"])),
        c(#"A='"d"'"#, .entries(["A": "\"d\""])),
        c(#"A="a\nb\tc\\d\"e""#, .entries(["A": "a\nb\tc\\d\"e"])),
        c(#"A='a\nb\tc\\d'"#, .entries(["A": #"a\nb\tc\\d"#])),
        c(#"A='it\'s'"#, .entries(["A": "it's"])),
        c(#"A="\a\b\f\v\r""#, .entries(["A": "\u{07}\u{08}\u{0C}\u{0B}\r"])),
        c(#"A="\x41\c\ z\u00e9""#, .entries(["A": #"\x41\c\ z\u00e9"#])),
        c(#"A="\0101\0123""#, .entries(["A": "AS"])),
        c(#"A="\01|\0|\0800""#, .entries(["A": #"\1|\|\800"#])),
        c(#"A="x\\""#, .entries(["A": #"x\"#])),
        c("A=\"line1\nline2\n\"\nB=c", .entries(["A": "line1\nline2\n", "B": "c"])),
        c("A='line1\n$HOME'", .entries(["A": "line1\n$HOME"])),
        c("A=\"first # not a comment\n  second\"", .entries(["A": "first # not a comment\n  second"])),

        // Expansion: $VAR and ${VAR}.
        c("A=$HOME/x", .entries(["A": "/home/fom/x"])),
        c("A=${HOME}x", .entries(["A": "/home/fomx"])),
        c("A=[$NOPE][${NOPE}]", .entries(["A": "[][]"])),
        c(#"A="$HOME""#, .entries(["A": "/home/fom"])),
        c("A='$HOME ${HOME}'", .entries(["A": "$HOME ${HOME}"])),
        c("A=$HOME.d-$USER", .entries(["A": "/home/fom.d-shell-user"])),
        c("B=1\nC=$B${B}", .entries(["B": "1", "C": "11"])),
        c("C=$B\nB=1", .entries(["C": "", "B": "1"])),
        // The environment wins over the file's earlier lines when expanding (compose-go #403).
        c("HOME=file\nC=$HOME", .entries(["HOME": "file", "C": "/home/fom"])),

        // Expansion: every operator with the variable set, empty and unset.
        c("A=${HOME:-d}|${EMPTY:-d}|${NOPE:-d}", .entries(["A": "/home/fom|d|d"])),
        c("A=${HOME-d}|${EMPTY-d}|${NOPE-d}", .entries(["A": "/home/fom||d"])),
        c("A=${HOME:+alt}|${EMPTY:+alt}|${NOPE:+alt}", .entries(["A": "alt||"])),
        c("A=${HOME+alt}|${EMPTY+alt}|${NOPE+alt}", .entries(["A": "alt|alt|"])),
        c("A=${HOME:?need it}|${HOME?need it}|${EMPTY?need it}", .entries(["A": "/home/fom|/home/fom|"])),
        c("A=${NOPE:?need it}", .error(".env:1: A: required variable NOPE is missing a value: need it")),
        c("A=${EMPTY:?need it}", .error(".env:1: A: required variable EMPTY is missing a value: need it")),
        c("A=${NOPE?need it}", .error(".env:1: A: required variable NOPE is missing a value: need it")),
        c("A=${NOPE:?}", .error(".env:1: A: required variable NOPE is missing a value")),
        c(
            "A=${NOPE:?set it in $HOME}",
            .error(".env:1: A: required variable NOPE is missing a value: set it in /home/fom")),
        c("A=${NOPE:-${HOME}/d}", .entries(["A": "/home/fom/d"])),
        c("A=${NOPE:-x}}", .entries(["A": "x}"])),
        // Every `{` inside a default counts (compose-go since v2.0.0-rc.8).
        c("A=${NOPE:-{x}y}", .entries(["A": "{x}y"])),
        c(#"A=${NOPE:-{"json":1}}"#, .entries(["A": #"{"json":1}"#])),
        c("A=${NOPE:-a{b}c}", .entries(["A": "a{b}c"])),
        // Only the branch that is used is expanded (compose-go v2.10.1).
        c("A=${HOME:-${NOPE:?x}}", .entries(["A": "/home/fom"])),
        c("A=${NOPE:+${NOPE2:?x}}", .entries(["A": ""])),
        c("A=${NOPE:-${NOPE2:?x}}", .error(".env:1: A: required variable NOPE2 is missing a value: x")),
        c("A=${NOPE:-a b}", .entries(["A": "a b"])),
        c("A=${NOPE:-a #b}", .error(#".env:1: A: invalid variable reference "${NOPE:-a""#)),

        // $$ and lone dollars.
        c("A=$$HOME", .entries(["A": "$HOME"])),
        c(#"A="$$|\$HOME|\${HOME}""#, .entries(["A": "$|$HOME|${HOME}"])),
        c("A='$$'", .entries(["A": "$$"])),
        c("A=$1 5$ $-x", .entries(["A": "$1 5$ $-x"])),
        c("A=${NOPE", .error(#".env:1: A: invalid variable reference "${NOPE""#)),
        c("A=${1}", .error(#".env:1: A: invalid variable reference "${1}""#)),
        c("A=${A B}", .error(#".env:1: A: invalid variable reference "${A B}""#)),
        c("A=${A:x}", .error(#".env:1: A: invalid variable reference "${A:x}""#)),
        c("A=${}", .error(#".env:1: A: invalid variable reference "${}""#)),

        // Unicode, names, CRLF, byte order mark, duplicates.
        c("Á=ü", .entries(["Á": "ü"])),
        c(
            "árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép",
            .entries(["árvíztűrő-TÜKÖRFÚRÓGÉP": "ÁRVÍZTŰRŐ-tükörfúrógép"])),
        c("A=日本語 # コメント", .entries(["A": "日本語"])),
        c("a[1]=c\na.b=d\na-b=e\n1A=f", .entries(["a[1]": "c", "a.b": "d", "a-b": "e", "1A": "f"])),
        c("A=b\r\nB=\"c\"\r\nC='d' # e\r\nHOME\r\n", .entries(["A": "b", "B": "c", "C": "d", "HOME": "/home/fom"])),
        c("A=\"x\r\ny\"\r\n", .entries(["A": "x\r\ny"])),
        c("\u{FEFF}A=b", .entries(["A": "b"])),
        c("A=1\nB=2\nA=3", .entries(["A": "3", "B": "2"])),
        c("", .entries([:])),
        c("# only a comment\n\n   \n", .entries([:])),

        // Bad lines, with the line they start on.
        c("A B=c", .error(#".env:1: variable name "A B" contains whitespace"#)),
        c("A\tB=c", .error(#".env:1: variable name "A\tB" contains whitespace"#)),  // fom: compose-go keeps the tab
        c("# c\nhello world\n", .error(#".env:2: expected KEY=VALUE, found "hello world""#)),
        c("lol$wut", .error(#".env:1: unexpected character "$" in variable name "lol$wut""#)),
        c(#""A"=1"#, .error(#".env:1: unexpected character "\"" in variable name "\"A\"=1""#)),
        c("=value", .error(#".env:1: missing variable name before "=""#)),  // fom: compose-go sets ""
        c(": value", .error(#".env:1: missing variable name before ":""#)),
        c("A=1\n\n# c\nKEY=\"never closed\nB=2", .error(".env:4: unterminated double-quoted value for KEY")),
        c("KEY='never closed", .error(".env:1: unterminated single-quoted value for KEY")),
        c(#"A="b" c"#, .error(#".env:1: unexpected text after the closing quote of A: "c""#)),  // fom
        c("A=\"x\ny\"\nB C=1", .error(#".env:3: variable name "B C" contains whitespace"#)),
        c("A=\"x\ny\" z", .error(#".env:2: unexpected text after the closing quote of A: "z""#)),
        c("X=1\nA=\"a\n${NOPE:?no}\"", .error(".env:2: A: required variable NOPE is missing a value: no")),
        c("A=1\r\nB C=2\r\n", .error(#".env:2: variable name "B C" contains whitespace"#)),
    ]

    func testGoldenTable() {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 45)
        for golden in Self.cases {
            let lookup = golden.lookup
            let result = Result { () throws(DotEnvError) -> [DotEnvEntry] in
                try DotEnv.parse(golden.input, file: ".env", lookup: { lookup[$0] })
            }
            switch (golden.expected, result) {
            case (.entries(let expected), .success(let entries)):
                XCTAssertEqual(
                    entries.map { "\($0.key)=\($0.value)" }, expected.map { "\($0.key)=\($0.value)" },
                    "input \(golden.input.debugDescription)", line: golden.sourceLine)
            case (.error(let expected), .failure(let error)):
                XCTAssertEqual(
                    String(describing: error), expected, "input \(golden.input.debugDescription)",
                    line: golden.sourceLine)
            case (.entries, .failure(let error)):
                XCTFail("input \(golden.input.debugDescription): unexpected error \(error)", line: golden.sourceLine)
            case (.error(let expected), .success(let entries)):
                XCTFail(
                    "input \(golden.input.debugDescription): expected \(expected), got \(entries)",
                    line: golden.sourceLine)
            }
        }
    }
}
