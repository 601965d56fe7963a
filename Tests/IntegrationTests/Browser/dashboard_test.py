"""The dashboard of `fom ui` in headless Chromium (selenium + chromium-driver).

    dashboard_test.py --url URL_WITH_TOKEN --fom FOM_BINARY --dir STACK_DIR --screenshot PNG

Against a running daemon and `fom ui`, with a scratch stack: instances annotate (cvatSync) and
review (fake FiftyOne servers), worker (/bin/sh). Prints one "ok: ..." line per check that
passed; the first failure prints "FAIL: ..." and exits 1. The Swift test asserts on both.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--fom", required=True)
parser.add_argument("--dir", required=True)
parser.add_argument("--screenshot", required=True)
parser.add_argument("--add-port", type=int, required=True)
opts = parser.parse_args()
base, token = opts.url.split("/?token=")


def ok(what):
    print("ok: " + what, flush=True)


def fail(what):
    print("FAIL: " + what, flush=True)
    sys.exit(1)


def fom(*args):
    return subprocess.run(
        [opts.fom, *args], cwd=opts.dir, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_COLOR": "1"})


def fom_list():
    out = fom("list", "--json")
    return {row["name"]: row for row in json.loads(out.stdout)}


def wait(what, condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
            if last:
                return last
        except Exception as error:  # a row not drawn yet, a stale element
            last = error
        time.sleep(0.05)
    fail(f"{what} (after {seconds}s; last: {last!r})")


def http(path, headers=None, method="GET", data=None):
    request = urllib.request.Request(base + path, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# --- the server, without a browser --------------------------------------------------------------
status, _ = http("/")
if status != 401:
    fail(f"the page without a token answered {status}, not 401")
status, _ = http("/api/list", {"Authorization": "Bearer wrong"})
if status != 401:
    fail(f"the API with a wrong token answered {status}, not 401")
ok("without the token the page and the API are refused (401)")

status, body = http("/metrics", {"Authorization": "Bearer " + token})
families = {f.name: f for f in text_string_to_metric_families(body)}
for name in ["fom_instance_up", "fom_instance_restarts", "fom_instance_memory_bytes", "fom_instance_cpu_seconds",
             "fom_instance_start_time_seconds", "fom_instance_cpu_percent"]:
    if name not in families:
        fail(f"/metrics has no {name}: {sorted(families)}")
up = {s.labels["name"]: s.value for s in families["fom_instance_up"].samples}
if up.get("annotate") != 1.0 or set(up) != set(fom_list()):
    fail(f"fom_instance_up is {up}")
if any(set(s.labels) != {"name", "kind"} for f in families.values() for s in f.samples):
    fail("a sample is not labelled by name and kind")
if families["fom_instance_cpu_seconds"].type != "counter" or not families["fom_instance_cpu_seconds"].samples:
    fail(f"fom_instance_cpu_seconds_total is not a counter with samples: {families['fom_instance_cpu_seconds']}")
ok("/metrics parses with prometheus_client: " + ", ".join(sorted(families)))

status, _ = http("/api/restart/review", {"Authorization": "Bearer " + token}, method="POST", data=b"")
if status != 403:
    fail(f"a POST without Origin or X-Fom answered {status}, not 403")
ok("a change without a matching Origin or X-Fom is refused (403)")

# --- the browser ----------------------------------------------------------------------------------
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
             "--window-size=1400,900"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(base + "/")
    if "token is required" not in driver.page_source:
        fail("the page without the token was not refused in the browser")
    ok("the browser without the token is refused")

    driver.get(opts.url)
    if "token=" in driver.current_url:
        fail(f"the token stayed in the address bar: {driver.current_url}")
    cookies = {c["name"]: c for c in driver.get_cookies()}
    if not cookies.get("fom_token", {}).get("httpOnly"):
        fail(f"no HttpOnly cookie: {cookies}")

    def row(name):
        return driver.find_element(By.CSS_SELECTOR, f'tr[data-name="{name}"]')

    def row_pid(name):
        return row(name).get_attribute("data-pid")

    names = set(fom_list())
    wait("every instance in the table",
         lambda: {tr.get_attribute("data-name") for tr in driver.find_elements(By.CSS_SELECTOR, "#instances tbody tr")} == names)
    wait("every row online", lambda: all(row(n).get_attribute("data-status") == "online" for n in names))
    ok(f"with the token the table lists every instance: {sorted(names)}")

    # the screenshot of the README: the stack as it starts, annotate's live logs open
    row("annotate").find_element(By.CSS_SELECTOR, "button.logs").click()
    wait("the log view shows the last lines", lambda: "fake FiftyOne listening" in driver.find_element(By.ID, "logs").text)
    wait("cpu sampled", lambda: "%" in row("annotate").find_element(By.CSS_SELECTOR, ".c-cpu").text, 10)
    driver.save_screenshot(opts.screenshot)
    ok("screenshot " + opts.screenshot)
    driver.execute_script("window.fomNotReloaded = true")

    link = row("annotate").find_element(By.CSS_SELECTOR, ".c-port a")
    if link.get_attribute("href").rstrip("/") != fom_list()["annotate"]["url"]:
        fail(f"the port links to {link.get_attribute('href')}")
    ok("the port links to the instance's FiftyOne App")

    # restart
    old = row_pid("review")
    row("review").find_element(By.CSS_SELECTOR, "button.restart").click()
    wait("the restarted row has a new pid", lambda: row_pid("review") not in ("", old) and row("review").get_attribute("data-status") == "online")
    new = row_pid("review")
    if str(fom_list()["review"]["pid"]) != new:
        fail(f"the page shows pid {new}, fom list {fom_list()['review']['pid']}")
    wait("the restart's result is shown", lambda: "restart: online" in row("review").find_element(By.CSS_SELECTOR, ".result").text)
    ok(f"clicking restart gives the row a new pid ({old} -> {new}) and shows the result")

    # CVAT Sync off
    if not any(l.startswith("FIFTYONE_CVAT_") for l in fom("env", "annotate").stdout.splitlines()):
        fail("annotate has no FIFTYONE_CVAT_* variables before the test")
    box = row("annotate").find_element(By.CSS_SELECTOR, "input.cvat")
    if not box.is_selected():
        fail("the CVAT Sync box of annotate is not ticked")
    box.click()
    wait("the page says the instance restarted", lambda: "the instance restarted" in driver.find_element(By.ID, "message").text, 60)
    env = fom("env", "annotate").stdout.splitlines()
    if any(l.startswith("FIFTYONE_CVAT_") for l in env):
        fail(f"FIFTYONE_CVAT_* still in fom env annotate: {[l for l in env if 'CVAT' in l]}")
    ok("unticking CVAT Sync removes the FIFTYONE_CVAT_* variables from fom env and says it restarted: "
       + driver.find_element(By.ID, "message").text)

    # live logs
    row("annotate").find_element(By.CSS_SELECTOR, "button.logs").click()
    wait("the log view shows the last lines", lambda: "fake FiftyOne listening" in driver.find_element(By.ID, "logs").text)
    line = f"a line printed at {time.time()}"
    port = fom_list()["annotate"]["port"]
    sent = time.monotonic()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/say?" + urllib.parse.urlencode({"text": line}), timeout=5).read()
    wait("the printed line in the live log view within 2 s", lambda: line in driver.find_element(By.ID, "logs").text, 2.0)
    ok(f"a line the instance prints appears in the live log view after {time.monotonic() - sent:.2f}s")

    # kill -9
    old = row_pid("worker")
    os.kill(int(old), signal.SIGKILL)
    wait("the killed instance's new pid", lambda: row_pid("worker") not in ("", old) and row("worker").get_attribute("data-status") == "online")
    if not driver.execute_script("return window.fomNotReloaded === true"):
        fail("the page was reloaded")
    ok(f"kill -9 of worker shows the new pid without a reload ({old} -> {row_pid('worker')})")

    # add through the form, keyboard only
    name_field = driver.find_element(By.ID, "add-name")
    name_field.send_keys("added")
    name_field.send_keys(Keys.TAB, str(opts.add_port), Keys.TAB, "added_db", Keys.TAB, Keys.TAB, Keys.ENTER)
    wait("the added instance online in the table", lambda: row("added").get_attribute("data-status") == "online", 60)
    if fom_list().get("added", {}).get("status") != "online":
        fail(f"fom list says {fom_list().get('added')}")
    ok("adding an instance through the form (by keyboard) brings it online")

    # a field error
    driver.find_element(By.ID, "add-name").send_keys("added")
    driver.find_element(By.ID, "add-port").send_keys("99999")
    driver.find_element(By.ID, "add-submit").click()
    wait("an error beside a field", lambda: driver.find_element(By.ID, "add-port-error").text or driver.find_element(By.ID, "add-name-error").text)
    ok("a refused add shows its error beside the field: "
       + (driver.find_element(By.ID, "add-port-error").text or driver.find_element(By.ID, "add-name-error").text).splitlines()[0])

    # remove, after a confirmation
    row("added").find_element(By.CSS_SELECTOR, "button.remove").click()
    alert = driver.switch_to.alert
    if "Remove added" not in alert.text:
        fail(f"the confirmation says {alert.text!r}")
    alert.accept()
    wait("the removed row leaves the table", lambda: not driver.find_elements(By.CSS_SELECTOR, 'tr[data-name="added"]'), 60)
    if "added" in fom_list():
        fail("fom list still has the removed instance")
    ok("remove after a confirmation takes the instance out of the table and of fom list")

    # details and the masked environment
    row("review").find_element(By.CSS_SELECTOR, "button.details").click()
    wait("details", lambda: '"name": "review"' in driver.find_element(By.ID, "detail-body").text or "review" in driver.find_element(By.ID, "detail-body").text and "loading" not in driver.find_element(By.ID, "detail-body").text)
    ok("details show describe's answer")


    driver.set_window_size(390, 844)
    width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1] + 1:
        fail(f"a phone-sized window scrolls sideways: {width}")
    ok(f"a phone-sized window does not scroll sideways (the table scrolls in its box): {width}")
finally:
    driver.quit()
print("all checks passed")
