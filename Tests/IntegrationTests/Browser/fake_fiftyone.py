"""A stand-in for `python -m fiftyone.server.main --port P --address A` in browser tests.

Answers 200 on /fiftyone (fom's ready check for fiftyone instances) and prints the text of
GET /say?text=... on stdout, so a test can make an instance log a line at a moment it chooses.
"""
import http.server
import sys
import urllib.parse

args = sys.argv[1:]
port = int(args[args.index("--port") + 1])
address = args[args.index("--address") + 1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/say":
            print(urllib.parse.parse_qs(url.query).get("text", [""])[0], flush=True)
        body = b"fake FiftyOne\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


print(f"fake FiftyOne listening on {address}:{port}", flush=True)
http.server.ThreadingHTTPServer((address, port), Handler).serve_forever()
