import FomWeb
import XCTest

final class HTTPRequestParserTests: XCTestCase {
    func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPRequestParser.Result {
        var parser = HTTPRequestParser(limits: limits)
        parser.feed(Array(text.utf8))
        return parser.next()
    }

    func request(_ result: HTTPRequestParser.Result, file: StaticString = #filePath, line: UInt = #line) -> HTTPRequest?
    {
        guard case .request(let r) = result else {
            XCTFail("expected a request, got \(result)", file: file, line: line)
            return nil
        }
        return r
    }

    func status(_ result: HTTPRequestParser.Result) -> Int? {
        if case .failure(let status, _) = result { return status }
        return nil
    }

    func testAGetWithHeadersAndQueryIsParsed() {
        let r = request(
            parse(
                "GET /api/logs/annotate?lines=50&x=a%20b HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nCookie: a=1; fom_token=abc\r\n\r\n"
            ))
        XCTAssertEqual(r?.method, "GET")
        XCTAssertEqual(r?.path, "/api/logs/annotate")
        XCTAssertEqual(r?.query["lines"], "50")
        XCTAssertEqual(r?.query["x"], "a b")
        XCTAssertEqual(r?.header("host"), "127.0.0.1:9001")
        XCTAssertEqual(r?.cookie("fom_token"), "abc")
        XCTAssertEqual(r?.keepAlive, true)
    }

    func testAPostBodyIsReadToContentLength() {
        let r = request(parse("POST /api/add HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n{\"name\":1}\nEXTRA"))
        XCTAssertEqual(r.map { String(decoding: $0.body, as: UTF8.self) }, "{\"name\":1}\n")
    }

    func testPipelinedRequestsComeOneByOne() {
        var parser = HTTPRequestParser()
        parser.feed(Array("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        XCTAssertEqual(request(parser.next())?.path, "/a")
        XCTAssertEqual(request(parser.next())?.path, "/b")
        XCTAssertEqual(parser.next(), .incomplete)
    }

    func testMalformedRequestsGet400() {
        let cases = [
            "GARBAGE\r\n\r\n",
            "GET\r\nHost: h\r\n\r\n",
            "GET  /x HTTP/1.1\r\nHost: h\r\n\r\n",
            "get /x HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET x HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /x FTP/1.1\r\nHost: h\r\n\r\n",
            "GET /x HTTP/1.1\r\nNo colon here\r\n\r\n",
            "GET /x HTTP/1.1\r\nBad Name: v\r\nHost: h\r\n\r\n",
            "GET /x HTTP/1.1\r\n: empty name\r\n\r\n",
            "GET /x HTTP/1.1\r\n\r\n",  // HTTP/1.1 without Host
            "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "GET /a\u{01}b HTTP/1.1\r\nHost: h\r\n\r\n",
        ]
        for text in cases {
            XCTAssertEqual(status(parse(text)), 400, "for \(text.debugDescription)")
        }
    }

    func testUnsupportedVersionAndChunkedBodiesAreRefused() {
        XCTAssertEqual(status(parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n")), 505)
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")), 501)
    }

    func testOversizedRequestLineHeadersAndBodyAreRefused() {
        var limits = HTTPLimits()
        limits.requestLineBytes = 100
        limits.headerCount = 3
        limits.headerBytes = 200
        limits.bodyBytes = 10
        // A request line without its end yet, already past the bound: refused before it ends.
        XCTAssertEqual(status(parse("GET /" + String(repeating: "a", count: 200), limits: limits)), 414)
        XCTAssertEqual(
            status(parse("GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\n", limits: limits)), 414)
        let four = (1...4).map { "X-\($0): v\r\n" }.joined()
        XCTAssertEqual(status(parse("GET / HTTP/1.1\r\nHost: h\r\n" + four + "\r\n", limits: limits)), 431)
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "b", count: 300)
        XCTAssertEqual(status(parse(big, limits: limits)), 431, "an endless header line is refused before it ends")
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: limits)), 413)
    }

    func testASlowRequestByteByByteIsIncompleteUntilItEnds() {
        let text = Array("POST /api/add HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}".utf8)
        var parser = HTTPRequestParser()
        for byte in text.dropLast() {
            parser.feed([byte])
            XCTAssertEqual(parser.next(), .incomplete)
        }
        parser.feed([text.last!])
        XCTAssertEqual(request(parser.next())?.body, Array("{}".utf8))
    }

    func testAfterAFailureTheParserStaysFailed() {
        var parser = HTTPRequestParser()
        parser.feed(Array("BAD\r\n\r\n".utf8))
        XCTAssertEqual(status(parser.next()), 400)
        parser.feed(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        XCTAssertEqual(status(parser.next()), 400)
    }

    func testHTTP10ClosesUnlessKeepAlive() {
        XCTAssertEqual(request(parse("GET / HTTP/1.0\r\n\r\n"))?.keepAlive, false)
        XCTAssertEqual(request(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"))?.keepAlive, false)
    }
}
