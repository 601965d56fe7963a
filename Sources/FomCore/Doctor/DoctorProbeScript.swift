/// The network half of `fom doctor`, in Python: fom's binary has no HTTP or TLS client
/// (DESIGN.md keeps Foundation out of it), so it runs this with the instance's own interpreter
/// and the instance's environment, else `python3`. It reads the CVAT settings from the
/// `FIFTYONE_CVAT_*` variables of that environment (so no secret is on its command line), asks
/// what it is told on argv (`DoctorProbeOptions`), and prints one `FOMDOCTOR {json}` line per part
/// as soon as the part is done, so that a part cut off by fom's deadline does not cost the others.
/// It never prints a value of a CVAT setting: only kinds, statuses and comparisons.
///
/// The requests are FiftyOne's (`fiftyone/utils/cvat.py`): the URL as written plus `/api/...`,
/// a login with `username`, `password` and `email` when set, a retry under `/api/v1` on a 404,
/// then a logout with the session's `X-CSRFToken` and a `Referer`.
public enum DoctorProbeScript {
    /// The prefix of the lines fom reads; anything else on stdout (FiftyOne's own output) is ignored.
    public static let linePrefix = "FOMDOCTOR "

    public static let source = #"""
        import json, os, socket, ssl, sys, threading, time
        import http.client, http.cookiejar, urllib.error, urllib.parse, urllib.request

        START = time.monotonic()
        OPTS = json.loads(sys.argv[1])
        CONNECT = float(OPTS.get("connectTimeout", 3))
        READ = float(OPTS.get("readTimeout", 4))
        BUDGET = float(OPTS.get("budget", 10))
        LOCK = threading.Lock()
        CERT_ERROR = getattr(ssl, "SSLCertVerificationError", ssl.CertificateError)


        def emit(part, **fields):
            fields["part"] = part
            line = "FOMDOCTOR " + json.dumps(fields) + "\n"
            with LOCK:
                sys.stdout.write(line)
                sys.stdout.flush()


        def left():
            return max(0.5, BUDGET - (time.monotonic() - START))


        def resolve(host, port):
            box = {}

            def run():
                try:
                    box["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                except Exception as e:
                    box["error"] = e

            thread = threading.Thread(target=run, daemon=True)
            thread.start()
            thread.join(min(CONNECT, left()))
            if thread.is_alive():
                return None, ("dnsTimeout", "no answer from DNS within %gs" % CONNECT)
            if "error" in box:
                return None, ("dns", str(box["error"]))
            return box["addresses"], None


        def connect(host, port):
            addresses, problem = resolve(host, port)
            if problem:
                return problem
            last = ("unreachable", "no address")
            for family, kind, proto, _, address in addresses:
                s = socket.socket(family, kind, proto)
                s.settimeout(min(CONNECT, left()))
                try:
                    s.connect(address)
                    return None
                except ConnectionRefusedError as e:
                    last = ("refused", str(e))
                except (socket.timeout, TimeoutError):
                    last = ("connectTimeout", "no answer to the connection within %gs" % CONNECT)
                except OSError as e:
                    last = ("unreachable", str(e))
                finally:
                    s.close()
            return last


        def classify(error):
            seen, todo = set(), [error]
            while todo:
                e = todo.pop(0)
                if e is None or id(e) in seen or not isinstance(e, BaseException):
                    continue
                seen.add(id(e))
                if isinstance(e, CERT_ERROR):
                    return "certificate", getattr(e, "verify_message", None) or str(e)
                if isinstance(e, ssl.SSLError):
                    return "tls", str(e)
                if isinstance(e, socket.gaierror):
                    return "dns", str(e)
                if isinstance(e, ConnectionRefusedError):
                    return "refused", str(e)
                if isinstance(e, (socket.timeout, TimeoutError)):
                    return "noAnswer", "no answer within %gs" % READ
                if isinstance(e, (ConnectionResetError, http.client.RemoteDisconnected)):
                    return "closed", str(e) or "the server closed the connection"
                if isinstance(e, urllib.error.URLError) and not isinstance(e, urllib.error.HTTPError):
                    todo.append(e.reason)
                todo.append(e.__cause__)
                todo.append(e.__context__)
            return "other", "%s: %s" % (type(error).__name__, error)


        JAR = http.cookiejar.CookieJar()
        OPENER = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=ssl.create_default_context()),
            urllib.request.HTTPCookieProcessor(JAR),
        )


        def request(method, url, body=None, headers=None):
            data = None if body is None else json.dumps(body).encode()
            req = urllib.request.Request(url, data=data, method=method)
            req.add_header("Accept", "application/json")
            if data is not None:
                req.add_header("Content-Type", "application/json")
            for name, value in (headers or {}).items():
                req.add_header(name, value)
            try:
                with OPENER.open(req, timeout=min(READ, left())) as response:
                    return response.status, response.read(1 << 16), None
            except urllib.error.HTTPError as e:
                return e.code, b"", None
            except Exception as e:
                return None, None, classify(e)


        def via_proxy(scheme, host):
            try:
                return scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(host)
            except Exception:
                return False


        def cvat():
            url = os.environ.get("FIFTYONE_CVAT_URL", "")
            username = os.environ.get("FIFTYONE_CVAT_USERNAME")
            password = os.environ.get("FIFTYONE_CVAT_PASSWORD")
            email = os.environ.get("FIFTYONE_CVAT_EMAIL") or None
            parts = urllib.parse.urlsplit(url)
            proxy = via_proxy(parts.scheme, parts.hostname)
            if not proxy:
                port = parts.port or (443 if parts.scheme == "https" else 80)
                problem = connect(parts.hostname, port)
                if problem:
                    emit("server", ok=False, kind=problem[0], detail=problem[1])
                    emit("login", skipped=True)
                    return
            api = url + "/api"
            status, body, problem = request("GET", api + "/server/about")
            if status == 404:
                status1, body1, problem1 = request("GET", url + "/api/v1/server/about")
                if status1 == 200:
                    api, status, body, problem = url + "/api/v1", status1, body1, problem1
            if problem:
                emit("server", ok=False, kind=problem[0], detail=problem[1], proxy=proxy)
                emit("login", skipped=True)
                return
            if status == 200:
                try:
                    about = json.loads(body)
                    emit("server", ok=True, status=200, version=str(about.get("version", "")),
                         name=str(about.get("name", "")), proxy=proxy)
                except Exception:
                    emit("server", ok=False, kind="notCVAT", status=200, proxy=proxy)
            else:
                emit("server", ok=False, kind="http", status=status, proxy=proxy)
            payload = {"username": username, "password": password}
            if email is not None:
                payload["email"] = email
            login_url = api + "/auth/login"
            status, body, problem = request("POST", login_url, payload)
            if status == 404 and not api.endswith("/v1"):
                login_url = url + "/api/v1/auth/login"
                status, body, problem = request("POST", login_url, payload)
            if problem:
                emit("login", ok=False, kind=problem[0], detail=problem[1])
                return
            result = {"status": status}
            if status == 200:
                headers = {"Referer": login_url}
                token = next((c.value for c in JAR if c.name == "csrftoken"), None)
                if token:
                    headers["X-CSRFToken"] = token
                out_status, _, out_problem = request("POST", login_url[: -len("login")] + "logout", None, headers)
                result["logout"] = out_status if out_status is not None else out_problem[0]
            emit("login", **result)


        MISSING = object()


        def kind(value):
            if value is MISSING:
                return "missing", None
            if value is None:
                return "none", None
            if isinstance(value, bool):
                return "boolean", None
            if isinstance(value, int):
                return "integer", None
            if isinstance(value, float):
                return "decimal", None
            if isinstance(value, str):
                return "text", None
            if isinstance(value, (list, tuple)):
                return "list", len(value)
            return type(value).__name__, None


        def fiftyone():
            import importlib, importlib.util, pkgutil
            try:
                spec = importlib.util.find_spec("fiftyone")
            except Exception:
                spec = None
            if spec is None:
                emit("fiftyone", imported=False, error="No module named 'fiftyone'")
                return
            # fo.annotation_config is fiftyone.core.config.load_annotation_config(), run when the
            # package is imported; running it without the rest of the package saves seconds.
            how = "fiftyone.core.config.load_annotation_config()"
            try:
                if "fiftyone" not in sys.modules and spec.submodule_search_locations is not None:
                    package = importlib.util.module_from_spec(spec)
                    package.__path__ = pkgutil.extend_path(list(spec.submodule_search_locations), "fiftyone")
                    sys.modules["fiftyone"] = package
                config = importlib.import_module("fiftyone.core.config")
                version = importlib.import_module("fiftyone.constants").VERSION
                annotation = config.load_annotation_config()
            except Exception:
                for name in [m for m in sys.modules if m == "fiftyone" or m.startswith("fiftyone.")]:
                    del sys.modules[name]
                try:
                    import fiftyone as fo
                    annotation, version, how = fo.annotation_config, fo.__version__, "fiftyone.annotation_config"
                except Exception as e:
                    emit("fiftyone", imported=False, error="%s: %s" % (type(e).__name__, e))
                    return
            backend = annotation.backends.get("cvat")
            values = {}
            for key in ("url", "username", "password", "email"):
                text = os.environ.get("FIFTYONE_CVAT_" + key.upper())
                if text is None:
                    continue
                held = backend.get(key, MISSING) if isinstance(backend, dict) else MISSING
                name, count = kind(held)
                values[key] = {
                    "kind": name,
                    "count": count,
                    "same": isinstance(held, str) and held == text,
                    "sameText": held is not MISSING and str(held) == text,
                }
            emit("fiftyone", imported=True, version=str(version), how=how,
                 backend=isinstance(backend, dict), values=values)


        def tcp():
            results = []
            for host, port in OPTS.get("tcp", []):
                problem = connect(host, port)
                results.append({"host": host, "port": port, "ok": problem is None,
                                "kind": problem[0] if problem else None,
                                "detail": problem[1] if problem else None})
            emit("tcp", results=results)


        def guarded(function, part):
            def run():
                try:
                    function()
                except Exception as e:
                    emit(part, ok=False, kind="other", detail="%s: %s" % (type(e).__name__, e))
            return run


        threads = []
        if OPTS.get("cvat"):
            threads.append(threading.Thread(target=guarded(cvat, "server"), daemon=True))
        if OPTS.get("tcp"):
            threads.append(threading.Thread(target=guarded(tcp, "tcp"), daemon=True))
        for thread in threads:
            thread.start()
        if OPTS.get("fiftyone"):
            guarded(fiftyone, "fiftyone")()
        for thread in threads:
            thread.join()
        emit("done")
        """#
}
