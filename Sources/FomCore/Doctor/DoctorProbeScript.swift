/// The network half of `fom doctor`, in Python: fom's binary has no HTTP or TLS client
/// (DESIGN.md keeps Foundation out of it), so it runs this with the instance's own interpreter
/// and the instance's environment, else `python3`. It reads the CVAT settings from the
/// `FIFTYONE_CVAT_*` variables of that environment (so no secret is on its command line), asks
/// what it is told on argv (`DoctorProbeOptions`), and prints one `FOMDOCTOR {json}` line per part
/// as soon as the part is done, so that a part cut off by fom's deadline does not cost the others.
/// It never prints a value of a CVAT setting: only kinds, statuses and comparisons.
///
/// The requests are FiftyOne's (`fiftyone/utils/cvat.py`, `CVATAnnotationAPI._setup`): the URL as
/// written plus `/api/...`, a login with `username`, `password` and `email` when set, a retry
/// under `/api/v1` on a 404, then requests with the session cookie, its `X-CSRFToken` and a
/// `Referer`: `GET /api/users/self` (the session works), then the logout. Where the interpreter
/// has FiftyOne, the login is made by FiftyOne's own `CVATAnnotationAPI` (what `annotate()` will
/// use); otherwise by the standard library. Either way an HTTP answer is a status (a 400 is
/// CVAT refusing the credentials), and only a failure to connect is a network or TLS kind.
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
                name = type(e).__name__
                # requests / urllib3 (FiftyOne's client): their timeouts, and the cause in .reason.
                if name in ("ConnectTimeout", "ConnectTimeoutError"):
                    return "connectTimeout", "no answer to the connection within %gs" % CONNECT
                if name in ("ReadTimeout", "ReadTimeoutError"):
                    return "noAnswer", "no answer within %gs" % READ
                if not isinstance(e, urllib.error.HTTPError):
                    todo.append(getattr(e, "reason", None))
                todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
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
                try:
                    return e.code, e.read(1 << 16), None
                except Exception:
                    return e.code, b"", None
            except Exception as e:
                return None, None, classify(e)


        def via_proxy(scheme, host):
            try:
                return scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(host)
            except Exception:
                return False


        def settings():
            return (os.environ.get("FIFTYONE_CVAT_URL", ""), os.environ.get("FIFTYONE_CVAT_USERNAME"),
                    os.environ.get("FIFTYONE_CVAT_PASSWORD"), os.environ.get("FIFTYONE_CVAT_EMAIL") or None)


        def refusal(body):
            # The keys only: CVAT's messages are not secrets, but nothing of the body is needed.
            try:
                parsed = json.loads(body or b"{}")
                return sorted(str(k) for k in parsed) if isinstance(parsed, dict) else []
            except Exception:
                return []


        def cvat_server():
            """Checks 3: the server answers. Returns the API base for the login, or None."""
            url = settings()[0]
            parts = urllib.parse.urlsplit(url)
            proxy = via_proxy(parts.scheme, parts.hostname)
            if not proxy:
                port = parts.port or (443 if parts.scheme == "https" else 80)
                problem = connect(parts.hostname, port)
                if problem:
                    emit("server", ok=False, kind=problem[0], detail=problem[1])
                    emit("login", skipped=True)
                    return None
            api = url + "/api"
            status, body, problem = request("GET", api + "/server/about")
            if status == 404:
                status1, body1, problem1 = request("GET", url + "/api/v1/server/about")
                if status1 == 200:
                    api, status, body, problem = url + "/api/v1", status1, body1, problem1
            if problem:
                emit("server", ok=False, kind=problem[0], detail=problem[1], proxy=proxy)
                emit("login", skipped=True)
                return None
            if status == 200:
                try:
                    about = json.loads(body)
                    emit("server", ok=True, status=200, version=str(about.get("version", "")),
                         name=str(about.get("name", "")), proxy=proxy)
                except Exception:
                    emit("server", ok=False, kind="notCVAT", status=200, proxy=proxy)
            else:
                emit("server", ok=False, kind="http", status=status, proxy=proxy)
            return api


        def cvat_login(api):
            """Check 4 with the standard library, as FiftyOne's client does it."""
            url, username, password, email = settings()
            payload = {"username": username, "password": password}
            if email is not None:
                payload["email"] = email
            login_url = api + "/auth/login"
            status, body, problem = request("POST", login_url, payload)
            if status == 404 and not api.endswith("/v1"):
                api = url + "/api/v1"
                login_url = api + "/auth/login"
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
                self_status, _, self_problem = request("GET", api + "/users/self", None, headers)
                result["self"] = self_status if self_status is not None else self_problem[0]
                out_status, _, out_problem = request("POST", api + "/auth/logout", None, headers)
                result["logout"] = out_status if out_status is not None else out_problem[0]
            else:
                result["refusal"] = refusal(body)
            emit("login", **result)


        def fiftyone_client_available():
            import importlib.util
            try:
                return (OPTS.get("fiftyoneClient", True) and importlib.util.find_spec("fiftyone") is not None
                        and importlib.util.find_spec("requests") is not None)
            except Exception:
                return False


        def fiftyone_login():
            """Check 4 by FiftyOne's own CVATAnnotationAPI; False when it cannot be imported."""
            url, username, password, email = settings()
            if username is None or password is None:
                return False  # FiftyOne would prompt on stdin; doctor names what is missing itself
            for name in [m for m in sys.modules if m == "fiftyone" or m.startswith("fiftyone.")]:
                del sys.modules[name]
            try:
                import requests
                import fiftyone.constants as foc
                import fiftyone.utils.cvat as fouc
            except Exception:
                return False
            # FiftyOne sends its requests without a timeout: bounded here by the probe's budget.
            original = requests.Session.request

            def bounded(session, method, target, **kwargs):
                if kwargs.get("timeout") is None:
                    kwargs["timeout"] = (min(CONNECT, left()), min(READ, left()))
                return original(session, method, target, **kwargs)

            requests.Session.request = bounded
            client = "FiftyOne %s" % foc.VERSION
            try:
                api = fouc.CVATAnnotationAPI("cvat", url, username=username, email=email, password=password)
            except requests.exceptions.HTTPError as e:
                response = e.response
                status = response.status_code if response is not None else None
                if status is None:
                    kind, detail = classify(e)
                    emit("login", ok=False, kind=kind, detail=detail, client=client)
                else:
                    emit("login", status=status, refusal=refusal(response.content), client=client)
                return True
            except Exception as e:
                kind, detail = classify(e)
                emit("login", ok=False, kind=kind, detail=detail, client=client)
                return True
            result = {"status": 200, "client": client}
            for key, method, path in (("self", "get", "/users/self"), ("logout", "post", "/auth/logout")):
                try:
                    response = getattr(api._session, method)(api.base_api_url + path, verify=False)
                    result[key] = response.status_code
                except Exception as e:
                    result[key] = classify(e)[0]
            api.close()
            emit("login", **result)
            return True


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


        # FiftyOne's client logs in after the other parts are done with its package (importing
        # it whole while check 5 reads its config alone would mix the two).
        use_fiftyone = OPTS.get("cvat") and fiftyone_client_available()
        API = {}


        def cvat():
            API["base"] = cvat_server()
            if API["base"] is not None and not use_fiftyone:
                cvat_login(API["base"])


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
        if use_fiftyone and API.get("base") is not None:
            def login():
                if not fiftyone_login():
                    cvat_login(API["base"])
            guarded(login, "login")()
        emit("done")
        """#
}
