import XCTest

@testable import FomCore

/// compose-go's own test cases for its `.env` dialect, run against fom. Each case names the file
/// and test function of github.com/compose-spec/compose-go (main at commit e70e961, July 2026) it comes
/// from, and what compose-go gives. Every case passes, or is one of fom's deliberate differences
/// (`Difference`, each documented in README.md under "The environment of an instance"), and then
/// the test checks what fom gives instead.
final class ComposeGoDialectTests: XCTestCase {
    /// Where fom means something else than compose-go on purpose.
    enum Difference: String, CaseIterable {
        /// compose lets a variable already in the environment win over the project `.env`
        /// (`godotenv.Load` does not override); fom's `.env` is layer 2, above the supervisor's
        /// environment (layer 1), so the file says what instances get.
        case envFileWinsOverSupervisorEnvironment = "`.env` wins over the supervisor's own environment"
        /// compose-go stores `="value"` under the key ""; fom refuses the line.
        case emptyKeyRefused = "an empty key is refused"
        /// `dotenv.Read` drops keys that start with a digit; fom keeps them (`execve` carries them).
        case digitLeadingKeyKept = "a key starting with a digit is kept"
    }

    enum Input {
        /// A whole `.env` text, read by `DotEnv.parse` in the given environment.
        case dotenv(String)
        /// One value, expanded by `VariableExpander` (compose-go's `template.Substitute`).
        case template(String)
        /// A `.env` text in a supervisor environment, through `EnvironmentLayers.build`: what an
        /// instance gets (compose-go's `Load`, which writes into the process environment).
        case layered(String)
    }

    enum Outcome {
        /// These keys with these values (the compose-go test looks at these only).
        case has(KeyValuePairs<String, String>)
        /// Exactly these keys and values.
        case exactly(KeyValuePairs<String, String>)
        /// A template's result.
        case value(String)
        /// An error; fom's message contains this text.
        case error(String)
    }

    struct Case {
        let file: String
        let test: String
        let input: Input
        /// The environment it is read in (compose-go's lookup or mapping).
        let environment: [String: String]
        /// What compose-go gives, and what fom gives when it is one of the differences.
        let compose: Outcome
        var difference: (Difference, fom: Outcome)?
        let line: UInt

        func differs(_ difference: Difference, fom: Outcome) -> Case {
            var copy = self
            copy.difference = (difference, fom)
            return copy
        }
    }

    static func d(
        _ text: String, has: KeyValuePairs<String, String>, lookup: [String: String] = [:], _ file: String,
        _ test: String, line: UInt = #line
    ) -> Case {
        Case(file: file, test: test, input: .dotenv(text), environment: lookup, compose: .has(has), line: line)
    }

    static func d(
        _ text: String, exactly: KeyValuePairs<String, String>, lookup: [String: String] = [:], _ file: String,
        _ test: String, line: UInt = #line
    ) -> Case {
        Case(file: file, test: test, input: .dotenv(text), environment: lookup, compose: .exactly(exactly), line: line)
    }

    static func d(
        _ text: String, error: String, lookup: [String: String] = [:], _ file: String, _ test: String,
        line: UInt = #line
    ) -> Case {
        Case(file: file, test: test, input: .dotenv(text), environment: lookup, compose: .error(error), line: line)
    }

    static func layered(
        _ text: String, supervisor: [String: String], has: KeyValuePairs<String, String>, _ file: String,
        _ test: String, line: UInt = #line
    ) -> Case {
        Case(file: file, test: test, input: .layered(text), environment: supervisor, compose: .has(has), line: line)
    }

    static func t(
        _ template: String, _ result: String, mapping: [String: String] = defaults,
        file: String = "template/template_test.go", test: String, line: UInt = #line
    ) -> Case {
        Case(
            file: file, test: test, input: .template(template), environment: mapping, compose: .value(result),
            line: line)
    }

    static func t(
        _ template: String, error: String, mapping: [String: String] = defaults,
        file: String = "template/template_test.go", test: String, line: UInt = #line
    ) -> Case {
        Case(
            file: file, test: test, input: .template(template), environment: mapping, compose: .error(error),
            line: line)
    }

    // compose-go's fixtures (dotenv/fixtures/*.env), verbatim.
    static let plainEnv =
        "OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n456 = ABC\nOPTION_F = \nOPTION_G=\nOPTION_H = my string # Inline comment\n"
    static let exportedEnv = "export OPTION_A=2\nexport OPTION_B='\\n'\n"
    static let equalsEnv = "export OPTION_A='postgres://localhost:5432/database?sslmode=disable'\n\n"
    static let quotedEnv = """
        OPTION_A='1'
        OPTION_B='2'
        OPTION_C=''
        OPTION_D='\\n'
        OPTION_E="1"
        OPTION_F="2"
        OPTION_G=""
        OPTION_H="\\n"
        OPTION_I = "echo 'asd'" # Inline comment
        OPTION_J = 'first line
        second line
        third line
        and so on'
        OPTION_K='Let\\'s go!'
        OPTION_Z = "last value"

        """
    static let unquotedEnv = """
        OPTION_A = "some quoted phrase"
        OPTION_B=first one with an unquoted phrase
        OPTION_C = then another one with an unquoted phrase
        OPTION_D = then another one with an unquoted phrase special è char
        OPTION_E = "then another one quoted phrase"

        """
    static let substitutionsEnv =
        "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n"
    static let substitutionsDefaultEnv =
        "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n"
    static let invalid1Env = "# some comments\nfoo=\"\n  a\n  multine\n  value\n\"\nINVALID LINE\nzot=qix"
    static let inheritedMultiVarEnv = "foo=bar\nVAR_TO_BE_LOADED_FROM_OS_ENV\nbar=baz\n"
    static let inheritedSingleVarEnv = "VAR_TO_BE_LOADED_FROM_OS_ENV\n"
    static let inheritedNotFoundEnv = "VARIABLE_NOT_FOUND\n"
    static let utf8BOMEnv =
        "\u{FEFF}OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n456 = ABC\nOPTION_F =\nOPTION_G=\nOPTION_H = my string # Inline comment\n"
    static let specialEnv = "VAR.WITH.DOTS=dots\nVAR_WITH_UNDERSCORES=underscores\nVAR-WITH-DASHES=dashes\n"
    static let plainValues: KeyValuePairs<String, String> = [
        "OPTION_A": "1", "OPTION_B": "2", "OPTION_C": "3", "OPTION_D": "4", "OPTION_E": "5", "OPTION_F": "",
        "OPTION_G": "", "OPTION_H": "my string",
    ]
    static let osEnv = ["VAR_TO_BE_LOADED_FROM_OS_ENV": "SOME_RANDOM_VALUE"]

    /// template_test.go's `defaults`.
    static let defaults = ["FOO": "first", "BAR": "", "JSON": #"{"json":2}"#]
    /// godotenv_var_expansion_test.go's `envMap`.
    static let envMap = ["EMPTY_VAR": "", "TEST_VAR": "Test Value"]

    static let godotenv = "dotenv/godotenv_test.go"
    static let parserTest = "dotenv/parser_test.go"
    static let expansion = "dotenv/godotenv_var_expansion_test.go"

    static let cases: [Case] =
        godotenvCases + parsingCases + parserCases + expansionCases + templateCases

    static let godotenvCases: [Case] = [
        d(plainEnv, exactly: plainValues, godotenv, "TestReadPlainEnv").differs(
            .digitLeadingKeyKept,
            fom: .exactly([
                "OPTION_A": "1", "OPTION_B": "2", "OPTION_C": "3", "OPTION_D": "4", "OPTION_E": "5", "456": "ABC",
                "OPTION_F": "", "OPTION_G": "", "OPTION_H": "my string",
            ])),
        d("ONE=1\nTWO='2'\nTHREE = \"3\"", has: ["ONE": "1", "TWO": "2", "THREE": "3"], godotenv, "TestParse"),
        layered(
            plainEnv, supervisor: ["OPTION_A": "do_not_override", "OPTION_B": ""],
            has: ["OPTION_A": "do_not_override", "OPTION_B": ""], godotenv, "TestLoadDoesNotOverride"
        ).differs(.envFileWinsOverSupervisorEnvironment, fom: .has(["OPTION_A": "1", "OPTION_B": "2"])),
        d(
            plainEnv, has: ["OPTION_A": "1", "OPTION_B": "2", "OPTION_C": "3", "OPTION_D": "4", "OPTION_E": "5"],
            godotenv, "TestLoadPlainEnv"),
        d(exportedEnv, has: ["OPTION_A": "2", "OPTION_B": "\\n"], godotenv, "TestLoadExportedEnv"),
        d(
            equalsEnv, has: ["OPTION_A": "postgres://localhost:5432/database?sslmode=disable"], godotenv,
            "TestLoadEqualsEnv"),
        d(
            quotedEnv,
            has: [
                "OPTION_A": "1", "OPTION_B": "2", "OPTION_C": "", "OPTION_D": "\\n", "OPTION_E": "1", "OPTION_F": "2",
                "OPTION_G": "", "OPTION_H": "\n", "OPTION_I": "echo 'asd'",
                "OPTION_J": "first line\nsecond line\nthird line\nand so on", "OPTION_K": "Let's go!",
                "OPTION_Z": "last value",
            ], godotenv, "TestLoadQuotedEnv"),
        d(
            unquotedEnv,
            has: [
                "OPTION_A": "some quoted phrase", "OPTION_B": "first one with an unquoted phrase",
                "OPTION_C": "then another one with an unquoted phrase",
                "OPTION_D": "then another one with an unquoted phrase special è char",
                "OPTION_E": "then another one quoted phrase",
            ], godotenv, "TestLoadUnquotedEnv"),
        d(
            substitutionsEnv,
            has: ["OPTION_A": "1", "OPTION_B": "1", "OPTION_C": "1", "OPTION_D": "1_1", "OPTION_E": ""], godotenv,
            "TestSubstitutions"),
        // TestExpanding, one case per subtest.
        d("FOO=test\nBAR=$FOO", has: ["FOO": "test", "BAR": "test"], godotenv, "TestExpanding"),
        d("FOO=test\nBAR=${FOO}bar", has: ["FOO": "test", "BAR": "testbar"], godotenv, "TestExpanding"),
        d("BAR=$FOO", has: ["BAR": ""], godotenv, "TestExpanding"),
        d("FOO=test\nBAR=\"quote $FOO\"", has: ["FOO": "test", "BAR": "quote test"], godotenv, "TestExpanding"),
        d("BAR='quote $FOO'", has: ["BAR": "quote $FOO"], godotenv, "TestExpanding"),
        d(#"FOO="foo\$BAR""#, has: ["FOO": "foo$BAR"], godotenv, "TestExpanding"),
        d(#"FOO="foo\${BAR}""#, has: ["FOO": "foo${BAR}"], godotenv, "TestExpanding"),
        d(
            "FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"", has: ["FOO": "test", "BAR": "foo${FOO} test"], godotenv,
            "TestExpanding"),
        d(
            "TEST_URLS=\"stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443\"",
            exactly: ["TEST_URLS": "stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443"],
            godotenv, "TestVariableStringValueSeparator"),
        layered(
            plainEnv, supervisor: ["OPTION_A": "actualenv"], has: ["OPTION_A": "actualenv"], godotenv,
            "TestActualEnvVarsAreLeftAlone"
        ).differs(.envFileWinsOverSupervisorEnvironment, fom: .has(["OPTION_A": "1"])),
        // TestUnterminatedQuotes: "unterminated quoted value".
        d(#"KEY=""#, error: "unterminated double-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        d(#"KEY="value"#, error: "unterminated double-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        d(#"KEY="value\""#, error: "unterminated double-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        d(#"KEY="value'"#, error: "unterminated double-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        d("KEY='", error: "unterminated single-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        d("KEY='value", error: "unterminated single-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        d(#"KEY='value\'"#, error: "unterminated single-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        d(#"KEY='value""#, error: "unterminated single-quoted value for KEY", godotenv, "TestUnterminatedQuotes"),
        // TestLinesToIgnore: nothing but blanks and comments is no statement.
        d("\n", exactly: [:], godotenv, "TestLinesToIgnore"),
        d("\r\n", exactly: [:], godotenv, "TestLinesToIgnore"),
        d("\t\t ", exactly: [:], godotenv, "TestLinesToIgnore"),
        d("# Comment", exactly: [:], godotenv, "TestLinesToIgnore"),
        d("\t # comment", exactly: [:], godotenv, "TestLinesToIgnore"),
        d(#"export OPTION_B='\n'"#, exactly: ["OPTION_B": "\\n"], godotenv, "TestLinesToIgnore"),
        // compose-go: "line 7: key cannot contain a space".
        d(invalid1Env, error: #".env:7: expected KEY=VALUE, found "INVALID LINE""#, godotenv, "TestErrorParsing"),
        d(
            inheritedMultiVarEnv,
            exactly: ["foo": "bar", "VAR_TO_BE_LOADED_FROM_OS_ENV": "SOME_RANDOM_VALUE", "bar": "baz"],
            lookup: osEnv, godotenv, "TestInheritedEnvVariableSameSize"),
        d(
            inheritedSingleVarEnv, exactly: ["VAR_TO_BE_LOADED_FROM_OS_ENV": "SOME_RANDOM_VALUE"], lookup: osEnv,
            godotenv, "TestInheritedEnvVariableSingleVar"),
        d(inheritedNotFoundEnv, exactly: [:], godotenv, "TestInheritedEnvVariableNotFound"),
        d(inheritedNotFoundEnv, exactly: [:], lookup: osEnv, godotenv, "TestInheritedEnvVariableNotFoundWithLookup"),
        d("TEST=$ME", has: ["TEST": "YES"], lookup: ["ME": "YES"], godotenv, "TestExpandingEnvironmentWithLookup"),
        d(
            substitutionsEnv,
            exactly: ["OPTION_A": "1", "OPTION_B": "5", "OPTION_C": "5", "OPTION_D": "5_5", "OPTION_E": ""],
            lookup: ["OPTION_A": "5"], godotenv, "TestSubstitutionsWithEnvFilePrecedence"),
        d(
            substitutionsDefaultEnv,
            exactly: ["OPTION_A": "5", "OPTION_B": "5", "OPTION_C": "5", "OPTION_D": "5_5", "OPTION_E": ""],
            lookup: ["OPTION_A": "5"], godotenv, "TestSubstitutionsWithEnvFileDefaultValuePrecedence"),
        d(
            substitutionsDefaultEnv,
            exactly: ["OPTION_A": "1", "OPTION_B": "1", "OPTION_C": "1", "OPTION_D": "1_1", "OPTION_E": ""],
            godotenv, "TestSubstitutionsWithUnsetVarEnvFileDefaultValuePrecedence"),
        d(
            utf8BOMEnv, has: ["OPTION_A": "1", "OPTION_B": "2", "OPTION_C": "3", "OPTION_D": "4", "OPTION_E": "5"],
            godotenv, "TestUTF8BOM"),
        d(
            specialEnv,
            has: ["VAR-WITH-DASHES": "dashes", "VAR.WITH.DOTS": "dots", "VAR_WITH_UNDERSCORES": "underscores"],
            godotenv, "TestDash"),
        // TestMultipleFiles reads base.env then override.env; fom reads one file, and the two
        // files one after the other mean the same as their concatenation.
        d(
            "\nENV_HOSTNAME=localhost\nENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n\nENV_HOSTNAME=dev.my-company.com\nENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n",
            exactly: ["ENV_HOSTNAME": "dev.my-company.com", "ENV_MY_URL": "http://dev.my-company.com"], godotenv,
            "TestMultipleFiles"),
        d(
            "\nENV_HOSTNAME=localhost\nENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n\nENV_HOSTNAME=dev.my-company.com\nENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n",
            exactly: ["ENV_HOSTNAME": "dev.my-company.com", "ENV_MY_URL": "http://host.local"],
            lookup: ["ENV_HOSTNAME": "host.local"], godotenv, "TestMultipleFiles"),
    ]

    /// TestParsing, every `parseAndCompare` call in order.
    static let parsingCases: [Case] = [
        d("FOO=bar", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO =bar", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO= bar", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO=\"bar\"", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO='bar'", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO=\"escaped\\\"bar\"", has: ["FOO": "escaped\"bar"], godotenv, "TestParsing"),
        d("FOO=\"\\\"quoted\\\"\"", has: ["FOO": "\"quoted\""], godotenv, "TestParsing"),
        d("FOO=\"'d'\"", has: ["FOO": "'d'"], godotenv, "TestParsing"),
        d("OPTION_A: 1", has: ["OPTION_A": "1"], godotenv, "TestParsing"),
        d("OPTION_A: Foo=bar", has: ["OPTION_A": "Foo=bar"], godotenv, "TestParsing"),
        d("OPTION_A=1:B", has: ["OPTION_A": "1:B"], godotenv, "TestParsing"),
        d("export OPTION_A=2", has: ["OPTION_A": "2"], godotenv, "TestParsing"),
        d("export OPTION_B='\\n'", has: ["OPTION_B": "\\n"], godotenv, "TestParsing"),
        d("export exportFoo=2", has: ["exportFoo": "2"], godotenv, "TestParsing"),
        d("exportFOO=2", has: ["exportFOO": "2"], godotenv, "TestParsing"),
        d("export_FOO =2", has: ["export_FOO": "2"], godotenv, "TestParsing"),
        d("export.FOO= 2", has: ["export.FOO": "2"], godotenv, "TestParsing"),
        d("export\tOPTION_A=2", has: ["OPTION_A": "2"], godotenv, "TestParsing"),
        d("  export OPTION_A=2", has: ["OPTION_A": "2"], godotenv, "TestParsing"),
        d("\texport OPTION_A=2", has: ["OPTION_A": "2"], godotenv, "TestParsing"),
        d("export OPTION_A=\"export A\"", has: ["OPTION_A": "export A"], godotenv, "TestParsing"),
        d("FOO=\"bar\\nbaz\"", has: ["FOO": "bar\nbaz"], godotenv, "TestParsing"),
        d("FOO=a\\tb", has: ["FOO": "a\\tb"], godotenv, "TestParsing"),
        d("FOO=\"a\\tb\"", has: ["FOO": "a\tb"], godotenv, "TestParsing"),
        d(
            "KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"",
            has: ["KEY": "Z\u{7}Z\u{8}Z\u{C}Z\nZ\rZ\tZ\u{B}Z\\ZSZ"], godotenv, "TestParsing"),
        d("FOO.BAR=foobar", has: ["FOO.BAR": "foobar"], godotenv, "TestParsing"),
        d("FOO=foobar=", has: ["FOO": "foobar="], godotenv, "TestParsing"),
        d("FOO=bar ", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO=bar # this is foo", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO=bar #this is foo", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO=bar #", has: ["FOO": "bar"], godotenv, "TestParsing"),
        d("FOO=123#not-an-inline-comment", has: ["FOO": "123#not-an-inline-comment"], godotenv, "TestParsing"),
        d("FOO=\"bar#baz\"", has: ["FOO": "bar#baz"], godotenv, "TestParsing"),
        d("FOO=\"bar#baz\"#", has: ["FOO": "bar#baz"], godotenv, "TestParsing"),
        d("FOO=\"bar#baz\" # comment", has: ["FOO": "bar#baz"], godotenv, "TestParsing"),
        d("FOO='bar#baz' # comment", has: ["FOO": "bar#baz"], godotenv, "TestParsing"),
        d("FOO=\"bar#baz#bang\" # comment", has: ["FOO": "bar#baz#bang"], godotenv, "TestParsing"),
        d("FOO=\"ba#r\"", has: ["FOO": "ba#r"], godotenv, "TestParsing"),
        d("FOO='ba#r'", has: ["FOO": "ba#r"], godotenv, "TestParsing"),
        d("FOO=\"bar\\n\\ b\\az\"", has: ["FOO": "bar\n\\ b\u{7}z"], godotenv, "TestParsing"),
        d("FOO=\"bar\\\\\\n\\ b\\az\"", has: ["FOO": "bar\\\n\\ b\u{7}z"], godotenv, "TestParsing"),
        d("FOO=\"bar\\\\r\\ b\\az\"", has: ["FOO": "bar\\r\\ b\u{7}z"], godotenv, "TestParsing"),
        d("FOO=\"bar\\nbaz\\\\\"", has: ["FOO": "bar\nbaz\\"], godotenv, "TestParsing"),
        d("=\"value\"", has: ["": "value"], godotenv, "TestParsing").differs(
            .emptyKeyRefused, fom: .error(#".env:1: missing variable name before "=""#)),
        d(" KEY =value", has: ["KEY": "value"], godotenv, "TestParsing"),
        d("   KEY=value", has: ["KEY": "value"], godotenv, "TestParsing"),
        d("\tKEY=value", has: ["KEY": "value"], godotenv, "TestParsing"),
        d("KEY=\"\\0123\"", has: ["KEY": "S"], godotenv, "TestParsing"),
        d("KEY=\"\\x07\"", has: ["KEY": "\\x07"], godotenv, "TestParsing"),
        d("KEY=\"\\u12e4\"", has: ["KEY": "\\u12e4"], godotenv, "TestParsing"),
        d("KEY=\"\\U00101234\"", has: ["KEY": "\\U00101234"], godotenv, "TestParsing"),
        // The end of TestParsing: `lol$wut` is an error.
        d("lol$wut", error: #".env:1: unexpected character "$" in variable name "lol$wut""#, godotenv, "TestParsing"),
    ]

    static let parserCases: [Case] = [
        d(
            "\na=b\na[1]=c\na.propertyKey=d\nárvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép\n",
            exactly: ["a": "b", "a[1]": "c", "a.propertyKey": "d", "árvíztűrő-TÜKÖRFÚRÓGÉP": "ÁRVÍZTŰRŐ-tükörfúrógép"],
            parserTest, "TestParseBytes"),
        // compose-go: `line 1: unexpected character "%" in variable name "%!(EXTRA string)=foo"`.
        d(
            "%!(EXTRA string)=foo", error: #".env:1: unexpected character "%" in variable name "%!(EXTRA string)=foo""#,
            parserTest, "TestParseVariable"),
    ]

    /// godotenv_var_expansion_test.go runs `expandVariables` on whole `RESULT=...` texts.
    static let expansionCases: [Case] = [
        t(
            "RESULT=${UNSET_VAR:-Default Value}", "RESULT=Default Value", mapping: envMap, file: expansion,
            test: "TestExpandIfEmptyOrUnset"),
        t(
            "RESULT=${EMPTY_VAR:-Default Value}", "RESULT=Default Value", mapping: envMap, file: expansion,
            test: "TestExpandIfEmptyOrUnset"),
        t(
            "RESULT=${TEST_VAR:-Default Value}", "RESULT=Test Value", mapping: envMap, file: expansion,
            test: "TestExpandIfEmptyOrUnset"),
        t(
            "RESULT=${UNSET_VAR-Default Value}", "RESULT=Default Value", mapping: envMap, file: expansion,
            test: "TestExpandIfUnset"),
        t("RESULT=${EMPTY_VAR-Default Value}", "RESULT=", mapping: envMap, file: expansion, test: "TestExpandIfUnset"),
        t(
            "RESULT=${TEST_VAR-Default Value}", "RESULT=Test Value", mapping: envMap, file: expansion,
            test: "TestExpandIfUnset"),
        t(
            "RESULT=${UNSET_VAR:?Test error}", error: "required variable UNSET_VAR is missing a value: Test error",
            mapping: envMap, file: expansion, test: "TestErrorIfEmptyOrUnset"),
        t(
            "RESULT=${EMPTY_VAR:?Test error}", error: "required variable EMPTY_VAR is missing a value: Test error",
            mapping: envMap, file: expansion, test: "TestErrorIfEmptyOrUnset"),
        t(
            "RESULT=${TEST_VAR:?Default Value}", "RESULT=Test Value", mapping: envMap, file: expansion,
            test: "TestErrorIfEmptyOrUnset"),
        t(
            "RESULT=${UNSET_VAR?Test error}", error: "required variable UNSET_VAR is missing a value: Test error",
            mapping: envMap, file: expansion, test: "TestErrorIfUnset"),
        t("RESULT=${EMPTY_VAR?Test error}", "RESULT=", mapping: envMap, file: expansion, test: "TestErrorIfUnset"),
        t(
            "RESULT=${TEST_VAR?Default Value}", "RESULT=Test Value", mapping: envMap, file: expansion,
            test: "TestErrorIfUnset"),
    ]

    static let lazyMapping = ["A": "value"]

    static let templateCases: [Case] = [
        t("$${foo}", "${foo}", test: "TestEscaped"),
        t("foo", "foo", test: "TestSubstituteNoMatch"),
        t("a $ string", "a $ string", test: "TestUnescaped"),
        t("^REGEX$", "^REGEX$", test: "TestUnescaped"),
        t("$}", "$}", test: "TestUnescaped"),
        t("$", "$", test: "TestUnescaped"),
        // compose-go: "Invalid template".
        t("${", error: "invalid variable reference", test: "TestInvalid"),
        t("${}", error: "invalid variable reference", test: "TestInvalid"),
        t("${ }", error: "invalid variable reference", test: "TestInvalid"),
        t("${ foo}", error: "invalid variable reference", test: "TestInvalid"),
        t("${foo }", error: "invalid variable reference", test: "TestInvalid"),
        t("${foo!}", error: "invalid variable reference", test: "TestInvalid"),
        t("$FOO-bar", "first-bar", test: "TestNonBraced"),
        t("This ${missing} var", "This  var", test: "TestNoValueNoDefault"),
        t("This ${BAR} var", "This  var", test: "TestNoValueNoDefault"),
        t("This $FOO var", "This first var", test: "TestValueNoDefault"),
        t("This ${FOO} var", "This first var", test: "TestValueNoDefault"),
        t("ok ${missing:-def}", "ok def", test: "TestNoValueWithDefault"),
        t("ok ${missing-def}", "ok def", test: "TestNoValueWithDefault"),
        // The three Lazy tests also count logrus warnings about unset variables; fom warns about
        // none, so their results are what is compared.
        t("${A:+${A},}B", "B", test: "TestLazyDefaultDoesNotWarn"),
        t("${A:-${B}}", "", test: "TestLazyDefaultWarnsWhenUsed"),
        t("${A?${B}}", "value", mapping: lazyMapping, test: "TestLazyRequiredMessageDoesNotWarn"),
        t("ok ${BAR:-def}", "ok def", test: "TestEmptyValueWithSoftDefault"),
        t("ok ${FOO:-def}", "ok first", test: "TestValueWithSoftDefault"),
        t("ok ${BAR-def}", "ok ", test: "TestEmptyValueWithHardDefault"),
        t("ok ${UNSET_VAR:+presence_value}", "ok ", test: "TestPresentValueWithUnset"),
        t("ok ${UNSET_VAR+presence_value}", "ok ", test: "TestPresentValueWithUnset2"),
        t("ok ${FOO:+presence_value}", "ok presence_value", test: "TestPresentValueWithNonEmpty"),
        t("ok ${FOO+presence_value}", "ok presence_value", test: "TestPresentValueAndNonEmptyWithNonEmpty"),
        t("ok ${BAR+presence_value}", "ok presence_value", test: "TestPresentValueWithSet"),
        t("ok ${BAR:+presence_value}", "ok ", test: "TestPresentValueAndNotEmptyWithSet"),
        t("ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric", test: "TestNonAlphanumericDefault"),
        t("-ok ${BAR:-defaultValue}", "-ok defaultValue", test: "TestInterpolationExternalInterference"),
        t("+ok ${UNSET:-${BAR-defaultValue}}", "+ok ", test: "TestInterpolationExternalInterference"),
        t("-ok ${FOO:-defaultValue}", "-ok first", test: "TestInterpolationExternalInterference"),
        t(":-ok ${UNSET-defaultValue}", ":-ok defaultValue", test: "TestInterpolationExternalInterference"),
        t(":-ok ${BAR-defaultValue}", ":-ok ", test: "TestInterpolationExternalInterference"),
        t(":?ok ${BAR-defaultValue}", ":?ok ", test: "TestInterpolationExternalInterference"),
        t(":?ok ${BAR:-defaultValue}", ":?ok defaultValue", test: "TestInterpolationExternalInterference"),
        t(":+ok ${BAR:-defaultValue}", ":+ok defaultValue", test: "TestInterpolationExternalInterference"),
        t("+ok ${BAR-defaultValue}", "+ok ", test: "TestInterpolationExternalInterference"),
        t("?ok ${BAR:-defaultValue}", "?ok defaultValue", test: "TestInterpolationExternalInterference"),
        t("ok ${UNSET_VAR-$FOO}", "ok first", test: "TestDefaultsWithNestedExpansion"),
        t("ok ${UNSET_VAR-${FOO}}", "ok first", test: "TestDefaultsWithNestedExpansion"),
        t("ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first", test: "TestDefaultsWithNestedExpansion"),
        t("ok ${BAR:-$FOO}", "ok first", test: "TestDefaultsWithNestedExpansion"),
        t("ok ${BAR:-${FOO}}", "ok first", test: "TestDefaultsWithNestedExpansion"),
        t("ok ${BAR:-${FOO} ${FOO}}", "ok first first", test: "TestDefaultsWithNestedExpansion"),
        t("ok ${BAR+$FOO}", "ok first", test: "TestDefaultsWithNestedExpansion"),
        t("ok ${BAR+$FOO ${FOO:+second}}", "ok first second", test: "TestDefaultsWithNestedExpansion"),
        t(
            "not ok ${UNSET_VAR:?Mandatory Variable Unset}",
            error: "required variable UNSET_VAR is missing a value: Mandatory Variable Unset",
            test: "TestMandatoryVariableErrors"),
        t(
            "not ok ${BAR:?Mandatory Variable Empty}",
            error: "required variable BAR is missing a value: Mandatory Variable Empty",
            test: "TestMandatoryVariableErrors"
        ),
        t(
            "not ok ${UNSET_VAR:?}", error: "required variable UNSET_VAR is missing a value",
            test: "TestMandatoryVariableErrors"),
        t(
            "not ok ${UNSET_VAR?Mandatory Variable Unset}",
            error: "required variable UNSET_VAR is missing a value: Mandatory Variable Unset",
            test: "TestMandatoryVariableErrors"),
        t(
            "not ok ${UNSET_VAR?}", error: "required variable UNSET_VAR is missing a value",
            test: "TestMandatoryVariableErrors"),
        t(
            "not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}",
            error: "required variable UNSET_VAR is missing a value: Mandatory Variable first",
            test: "TestMandatoryVariableErrorsWithNestedExpansion"),
        t(
            "not ok ${UNSET_VAR?Mandatory Variable ${FOO}}",
            error: "required variable UNSET_VAR is missing a value: Mandatory Variable first",
            test: "TestMandatoryVariableErrorsWithNestedExpansion"),
        t("ok ${FOO:?err}", "ok first", test: "TestDefaultsForMandatoryVariables"),
        t("ok ${FOO?err}", "ok first", test: "TestDefaultsForMandatoryVariables"),
        t("ok ${BAR?err}", "ok ", test: "TestDefaultsForMandatoryVariables"),
        // The one case of TestSubstituteWithReplacementFunc that uses no Go hook.
        t("ok ${SUBDOMAIN:-redis}.${FOO:?}", "ok redis.first", test: "TestSubstituteWithReplacementFunc"),
        t(
            "${UNSET_VAR?bar-baz}", error: "required variable UNSET_VAR is missing a value: bar-baz",
            test: "TestPrecedence"),
        t("${UNSET_VAR-myerror?msg}", "myerror?msg", test: "TestPrecedence"),
        t("${FOO?bar-baz}", "first", test: "TestPrecedence"),
        t("${BAR:-default_value_for_empty_var}", "default_value_for_empty_var", test: "TestPrecedence"),
        t("${UNSET_VAR-default_value_for_unset_var}", "default_value_for_unset_var", test: "TestPrecedence"),
        // TestSubstitutionFunctionChoice checks which operator compose-go picks in each text (the
        // first one); as references: the `?` ones fail with the rest as the reason (VARNAME unset),
        // the `-` ones give the rest as the default, the `+` ones the rest as the alternative
        // (VARNAME set).
        t("${VARNAME:?val?ue}", error: "missing a value: val?ue", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME?val:?ue}", error: "missing a value: val:?ue", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME?va-lu+e:?e}", error: "missing a value: va-lu+e:?e", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME?va+lu-e:?e}", error: "missing a value: va+lu-e:?e", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME:-value}", "value", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME-va:-lu:?e}", "va:-lu:?e", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME-va+lu?e}", "va+lu?e", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME-va?lu+e}", "va?lu+e", test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME:+va:?lu:-e}", "va:?lu:-e", mapping: varname, test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME+va:+lue}", "va:+lue", mapping: varname, test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME+va?lu-e}", "va?lu-e", mapping: varname, test: "TestSubstitutionFunctionChoice"),
        t("${VARNAME+va-lu?e}", "va-lu?e", mapping: varname, test: "TestSubstitutionFunctionChoice"),
        // Every `{` inside a default counts (compose-go commit 5ede864, v2.0.0-rc.8).
        t(#"ok ${missing:-{"json":1}}"#, #"ok {"json":1}"#, test: "TestNoValueWithCurlyBracesDefault"),
        t(#"ok ${missing-{"json":1}}"#, #"ok {"json":1}"#, test: "TestNoValueWithCurlyBracesDefault"),
        t(#"ok ${JSON:-{"json":1}}"#, #"ok {"json":2}"#, test: "TestValueWithCurlyBracesDefault"),
        t(#"ok ${JSON-{"json":1}}"#, #"ok {"json":2}"#, test: "TestValueWithCurlyBracesDefault"),
    ]

    static let varname = ["VARNAME": "set"]

    /// compose-go cases about files rather than text, checked where fom reads files.
    static let fileCases: [(file: String, test: String, checkedBy: String)] = [
        (godotenv, "TestLoadWithNoArgsLoadsDotEnv", "ComposeGoDialectTests.testTheDefaultEnvFileIsDotEnv"),
        (godotenv, "TestLoadFileNotFound", "EnvFileTests.testEnvNamingAMissingFileIsAnErrorForEveryCommand"),
        (godotenv, "TestErrorReadDirectory", "EnvFileTests.testDotEnvThatIsADirectoryIsAnErrorNamingIt"),
        (godotenv, "TestGetEnvFromFile", "EnvFileTests.testDotEnvThatIsADirectoryIsAnErrorNamingIt"),
        (parserTest, "TestMemoryExplosion", "ComposeGoDialectTests.testThousandLinesGiveThousandKeys"),
    ]

    /// compose-go tests of Go hooks that fom has no counterpart for.
    static let notApplicable: [(file: String, test: String, why: String)] = [
        (godotenv, "TestLoadWithFormat", "RegisterFormat: custom env_file formats"),
        ("template/template_test.go", "TestSubstituteWithCustomFunc", "a custom SubstituteFunc"),
        (
            "template/template_test.go", "TestSubstituteWithReplacementFunc",
            "a custom ReplacementFunc (its hook-free case is in the table)"
        ),
        ("template/template_test.go", "TestSubstituteWithReplacementAppliedFunc", "a custom ReplacementFunc"),
    ]

    func testEveryComposeGoCasePassesOrIsADocumentedDifference() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 190)
        for c in Self.cases {
            let expected = c.difference?.fom ?? c.compose
            let context = "\(c.file) \(c.test): \(String(describing: c.input))"
            check(run(c), expected, context, line: c.line)
        }
    }

    func testTheDifferencesAreTheDocumentedOnes() throws {
        let used = Set(Self.cases.compactMap { $0.difference?.0 })
        XCTAssertEqual(used, Set(Difference.allCases), "every documented difference shows in a compose-go case")
        // The README's environment section lists each one.
        let readme = try String(
            contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md").path, encoding: .utf8)
        for difference in Difference.allCases {
            XCTAssertTrue(readme.contains(difference.rawValue), "README.md does not document: \(difference.rawValue)")
        }
        XCTAssertEqual(Self.cases.filter { $0.difference != nil }.count, 4)
    }

    func testTheDefaultEnvFileIsDotEnv() {
        XCTAssertEqual(SupervisorConfig(path: "/srv/fom/supervisor.json").envFile, "/srv/fom/.env")
    }

    func testThousandLinesGiveThousandKeys() throws {
        let text = (0..<1000).map { "KEY\($0)=VALUE\($0)" }.joined(separator: "\n")
        let entries = try DotEnv.parse(text, file: ".env", lookup: { _ in nil })
        XCTAssertEqual(entries.count, 1000)
        XCTAssertEqual(entries.last, DotEnvEntry(key: "KEY999", value: "VALUE999", line: 1000))
    }

    func testEveryCaseNamesItsSource() {
        let files = [Self.godotenv, Self.parserTest, Self.expansion, "template/template_test.go"]
        for c in Self.cases {
            XCTAssertTrue(files.contains(c.file), "\(c.file)", line: c.line)
            XCTAssertTrue(c.test.hasPrefix("Test"), c.test, line: c.line)
        }
    }

    enum Result {
        case entries([String: String])
        case value(String)
        case failure(String)
    }

    private func run(_ c: Case) -> Result {
        let environment = c.environment
        do {
            switch c.input {
            case .dotenv(let text):
                let entries = try DotEnv.parse(text, file: ".env", lookup: { environment[$0] })
                return .entries(Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
            case .template(let text):
                return .value(try VariableExpander.expand(text, lookup: { environment[$0] }))
            case .layered(let text):
                let entries = try DotEnv.parse(text, file: ".env", lookup: { environment[$0] })
                let built = try EnvironmentLayers.build(
                    EnvironmentInputs(
                        supervisorEnvironment: environment, dotenv: entries, isFiftyOne: false, name: "x", id: 0))
                return .entries(built.variables)
            }
        } catch {
            return .failure(String(describing: error))
        }
    }

    private func check(_ result: Result, _ expected: Outcome, _ context: String, line: UInt) {
        switch (expected, result) {
        case (.has(let pairs), .entries(let got)):
            for (key, value) in pairs {
                XCTAssertEqual(got[key], value, "\(context): \(key)", line: line)
            }
        case (.exactly(let pairs), .entries(let got)):
            XCTAssertEqual(
                got, Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }), context, line: line)
        case (.value(let want), .value(let got)):
            XCTAssertEqual(got, want, context, line: line)
        case (.error(let fragment), .failure(let message)):
            XCTAssertTrue(
                message.contains(fragment), "\(context): \"\(message)\" does not contain \"\(fragment)\"", line: line)
        default:
            XCTFail("\(context): expected \(expected), got \(result)", line: line)
        }
    }
}
