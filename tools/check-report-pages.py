#!/usr/bin/env python3
"""Checks the report pages in a real browser (headless Chromium over the DevTools protocol).

For each page — an HTML file the CLI wrote (file://…) or an API page (http://…, fetched by
the browser itself with `Accept: text/html` and a bearer token):

  * it loads with no console error, no uncaught exception and no CSP violation;
  * the browser makes no request but the page itself (the page is self-contained);
  * every figure tagged with data-report/data-path reads exactly as the JSON report says —
    each source listed in the page's footer is fetched from the API as JSON, pinned to the
    page's known_at — and each target-path point is the JSON's base year compounded by the
    target (rounded down each step, as the ledger does);
  * it prints to PDF (A4) and renders to PNG, both written to --out.

Then, so that the check itself is known to bite, one page is loaded with a figure altered
and must fail. Without Chromium it says so and exits 0 (skipped). Prints one line per page
and ends with 'N passed, N failed'.

  check-report-pages.py --api http://127.0.0.1:PORT --token T [--bank-token T] \
      --page out/growth.html --page out/exposure.html \
      --api-page '/v1/reports/financing-growth?from=2022&to=2025' ... --out DIR

  check-report-pages.py --render-only --page out/growth.html --out docs/img   (PNG only, no check:
      how docs/img/growth.png and exposure.png are made from scripts/demo's pages)
"""

import argparse
import base64
import concurrent.futures
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def find_chromium():
    for name in [os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        if name and shutil.which(name):
            return shutil.which(name)
    return None


# ---- the ledger's ways of writing figures (PledgerCharts/Amounts.swift, Percent.swift) ----

def yuan(fen):
    sign = "-" if fen < 0 else ""
    magnitude = abs(fen)
    return f"{sign}{magnitude // 100:,}.{magnitude % 100:02d}"


def wan(fen):
    magnitude = abs(fen)
    hundreds = magnitude // 10_000 + (1 if magnitude % 10_000 >= 5_000 else 0)
    sign = "-" if fen < 0 and hundreds > 0 else ""
    return f"{sign}{hundreds // 100:,}.{hundreds % 100:02d}"


def percent(bp):
    if bp is None:
        return "—"
    magnitude = abs(bp)
    return f"{'-' if bp < 0 else ''}{magnitude // 100}.{magnitude % 100:02d}%"


def times(bp):
    if bp is None:
        return "—"
    hundredths = (bp + 50) // 100 if bp + 50 >= 0 else -((-(bp + 50)) // 100)
    return f"{hundredths // 100}.{hundredths % 100:02d}×"


WRITE = {
    "yuan": yuan, "wan": wan, "percent": percent, "times": times,
    "count": lambda v: str(v), "text": lambda v: v,
}


def pointer(document, path):
    value = document
    for part in path.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def target_path(periods, target_bp):
    """The ledger's target path: the first period's principal compounded by the target once
    per later complete period, rounded down each step; None where there is no point."""
    path = [None] * len(periods)
    if not periods or periods[0]["state"] != "complete" or periods[0]["principal_fen"] <= 0:
        return path
    value = periods[0]["principal_fen"]
    for index, period in enumerate(periods):
        if period["state"] != "complete":
            continue
        if index > 0:
            value = value * (10_000 + target_bp) // 10_000
        path[index] = value
    return path


# ---- a minimal DevTools client ----

class Browser:
    def __init__(self, executable, websocket):
        self.profile = tempfile.mkdtemp(prefix="pledger-chromium-")
        arguments = [executable, "--headless=new", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                     "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--metrics-recording-only", "--hide-scrollbars", "--force-color-profile=srgb",
                     "--font-render-hinting=none", f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"]
        if os.geteuid() == 0:
            arguments.insert(1, "--no-sandbox")   # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = pathlib.Path(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError("chromium did not start (no DevToolsActivePort)")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(index)
            self.socket.settimeout(max(0.1, deadline - time.time()))
            message = json.loads(self.socket.recv())
            if "method" in message:
                self.events.append(message)
        raise RuntimeError(f"timed out waiting for {method}")

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


EXTRACT = """JSON.stringify({
  figures: Array.from(document.querySelectorAll('[data-path]')).map(e => ({
    report: e.getAttribute('data-report'), path: e.getAttribute('data-path'), unit: e.getAttribute('data-unit'),
    value: e.getAttribute('data-value'), text: e.textContent.trim(), tag: e.tagName})),
  targets: Array.from(document.querySelectorAll('[data-target-of]')).map(e => ({
    report: e.getAttribute('data-report') || 'total', of: e.getAttribute('data-target-of'), fen: e.getAttribute('data-target-fen')})),
  sources: Array.from(document.querySelectorAll('[data-source]')).map(e => ({key: e.getAttribute('data-source'), request: e.getAttribute('data-request')})),
  footer: Object.assign({}, document.getElementById('provenance') ? document.getElementById('provenance').dataset : {}),
  csp: (document.querySelector('meta[http-equiv="Content-Security-Policy"]') || {}).content || null,
  height: Math.ceil(document.documentElement.scrollHeight),
  svgs: document.querySelectorAll('svg').length,
  title: document.title})"""


class Checker:
    def __init__(self, browser, api, out):
        self.browser, self.api, self.out = browser, api, out
        self.json_cache = {}

    def fetch_json(self, request, token):
        key = (request, token)
        if key not in self.json_cache:
            http = urllib.request.Request(self.api + request, headers={"Accept": "application/json", "Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(http, timeout=60) as response:
                self.json_cache[key] = json.load(response)
        return self.json_cache[key]

    def load(self, url, token=None):
        b = self.browser
        b.events.clear()
        headers = {"Accept": "text/html"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        b.send("Network.setExtraHTTPHeaders", headers=headers)
        b.send("Page.navigate", url=url)
        b.wait_for("Page.loadEventFired")
        # Let late console messages and requests (there should be none) arrive.
        time.sleep(0.3)
        b.send("Runtime.evaluate", expression="0")
        return json.loads(b.send("Runtime.evaluate", expression=EXTRACT, returnByValue=True)["result"]["value"])

    def problems_in_events(self, url):
        problems, requests = [], []
        for event in self.browser.events:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                requested = params["request"]["url"]
                if not requested.startswith("data:"):
                    requests.append(requested)
            elif method == "Runtime.exceptionThrown":
                problems.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                problems.append(f"console {params['type']}: {[a.get('value') for a in params.get('args', [])]}")
            elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
                problems.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
            elif method == "Network.loadingFailed":
                problems.append(f"request failed: {params.get('errorText')}")
        external = [r for r in requests if r != url]
        if external:
            problems.append(f"requests beyond the page: {external}")
        return problems, len(requests)

    def compare(self, page, token):
        problems = []
        sources = {s["key"]: s["request"] for s in page["sources"]}
        known_at = page["footer"].get("knownAt")
        for request in sources.values():
            if f"known_at={known_at}" not in request:
                problems.append(f"source {request} is not pinned to the page's known_at {known_at}")
        # Each source is a past view the server folds from the log: fetch them side by side.
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda request: self.fetch_json(request, token), sources.values()))
        checked = 0
        for figure in page["figures"]:
            if figure["report"] not in sources:
                problems.append(f"figure {figure['path']} names unknown source {figure['report']}")
                continue
            document = self.fetch_json(sources[figure["report"]], token)
            try:
                expected = pointer(document, figure["path"])
            except (KeyError, IndexError, ValueError):
                problems.append(f"{figure['report']} {figure['path']}: not in the JSON report")
                continue
            if figure["value"] is not None:
                raw = figure["value"] if figure["unit"] == "text" else int(figure["value"])
                if raw != expected:
                    problems.append(f"{figure['report']} {figure['path']}: data-value {raw} ≠ JSON {expected}")
            elif figure["unit"] in WRITE:
                written = WRITE[figure["unit"]](expected)
                if figure["text"] != written:
                    problems.append(f"{figure['report']} {figure['path']}: page shows {figure['text']!r}, JSON {expected!r} reads {written!r}")
            else:
                problems.append(f"{figure['path']}: unknown unit {figure['unit']}")
            checked += 1
        for target in page["targets"]:
            document = self.fetch_json(sources[target["report"]], token)
            of = target["of"].rsplit("/", 1)
            periods, index = pointer(document, of[0]), int(of[1])
            expected = target_path(periods, document["target_bp"])[index]
            if expected is None or int(target["fen"]) != expected:
                problems.append(f"target path at {target['report']} {target['of']}: page {target['fen']}, ledger's rule gives {expected}")
            checked += 1
        if page["csp"] != "default-src 'none'; style-src 'unsafe-inline'; img-src data:":
            problems.append(f"Content-Security-Policy meta is {page['csp']!r}")
        if page["svgs"] < 1:
            problems.append("no chart on the page")
        return problems, checked, len(sources)

    def render(self, name, height):
        b = self.browser
        pdf = base64.b64decode(b.send("Page.printToPDF", printBackground=True, preferCSSPageSize=True,
                                      paperWidth=8.27, paperHeight=11.69)["data"])
        (self.out / f"{name}.pdf").write_bytes(pdf)
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        # 794 CSS px is A4's width at 96 dpi; the whole page height in one image, at 2× for print-like sharpness.
        b.send("Emulation.setDeviceMetricsOverride", width=794, height=min(height, 16000), deviceScaleFactor=1.5, mobile=False)
        png = base64.b64decode(b.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                      clip={"x": 0, "y": 0, "width": 794, "height": min(height, 16000), "scale": 1})["data"])
        b.send("Emulation.clearDeviceMetricsOverride")
        (self.out / f"{name}.png").write_bytes(png)
        return pages, len(pdf), len(png)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", help="base URL of a running pledger serve")
    parser.add_argument("--token", help="admin token (CLI pages are compared with the API's JSON through it)")
    parser.add_argument("--render-only", action="store_true", help="only render each --page to PNG in --out (no check)")
    parser.add_argument("--bank-token", help="a bank's token: its API pages must show its own slice")
    parser.add_argument("--page", action="append", default=[], help="an HTML file the CLI wrote")
    parser.add_argument("--api-page", action="append", default=[], help="an API request for a page, e.g. /v1/reports/fund-exposure?fund_id=X")
    parser.add_argument("--out", default="out/report-pages")
    args = parser.parse_args()

    executable = find_chromium()
    if executable is None:
        print("report pages: SKIPPED — no chromium on this machine (Debian: apt-get install chromium); nothing was checked")
        return 0
    try:
        import websocket  # websocket-client, installed by scripts/python-tools
    except ImportError:
        print("report pages: the websocket-client package is missing (scripts/python-tools websocket-client)", file=sys.stderr)
        return 2

    if not args.render_only and not (args.api and args.token):
        parser.error("--api and --token are needed to check pages (or --render-only)")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    browser = Browser(executable, websocket)
    if args.render_only:
        try:
            browser.send("Page.enable")
            for path in args.page:
                url = pathlib.Path(path).resolve().as_uri()
                browser.send("Page.navigate", url=url)
                browser.wait_for("Page.loadEventFired")
                height = json.loads(browser.send("Runtime.evaluate", expression="JSON.stringify(document.documentElement.scrollHeight)",
                                                 returnByValue=True)["result"]["value"])
                browser.send("Emulation.setDeviceMetricsOverride", width=794, height=min(height, 16000), deviceScaleFactor=1, mobile=False)
                png = base64.b64decode(browser.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                                    clip={"x": 0, "y": 0, "width": 794, "height": min(height, 16000), "scale": 1})["data"])
                target = out / (pathlib.Path(path).stem + ".png")
                target.write_bytes(png)
                print(f"{target}  {len(png) // 1024} KiB")
        finally:
            browser.close()
        return 0
    passed = failed = 0
    try:
        for domain in ("Page", "Network", "Runtime", "Log"):
            browser.send(f"{domain}.enable")
        checker = Checker(browser, args.api.rstrip("/"), out)
        runs = [(pathlib.Path(p).stem, pathlib.Path(p).resolve().as_uri(), None, args.token) for p in args.page]
        for request in args.api_page:
            name = "api-" + request.split("?")[0].rsplit("/", 1)[-1]
            runs.append((name, args.api.rstrip("/") + request, args.token, args.token))
            if args.bank_token:
                runs.append((name + "-bank", args.api.rstrip("/") + request, args.bank_token, args.bank_token))
        print(f"{'page':<32} {'figures':>7} {'sources':>7} {'requests':>8} {'PDF pages':>9} {'PNG KiB':>7} {'s':>5}  result")
        for name, url, page_token, json_token in runs:
            began = time.time()
            page = checker.load(url, page_token)
            problems, requests = checker.problems_in_events(url)
            more, checked, sources = checker.compare(page, json_token)
            problems += more
            pages, _, png = checker.render(name, page["height"])
            if pages < 1:
                problems.append("the PDF has no page")
            result = "ok" if not problems else "FAILED"
            print(f"{name:<32} {checked:>7} {sources:>7} {requests:>8} {pages:>9} {png // 1024:>7} {time.time() - began:>5.1f}  {result}")
            for problem in problems[:20]:
                print(f"    {problem}")
            if problems:
                failed += 1
            else:
                passed += 1

        # The check must be able to fail: alter one printed figure and expect it caught.
        if args.page:
            original = pathlib.Path(args.page[0]).read_text(encoding="utf-8")
            marker = 'data-unit="yuan">'
            at = original.find(marker)
            tampered = original[:at + len(marker)] + "1" + original[at + len(marker):]
            with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as handle:
                handle.write(tampered)
            try:
                page = checker.load(pathlib.Path(handle.name).as_uri())
                caught, _, _ = checker.compare(page, args.token)
            finally:
                os.unlink(handle.name)
            if caught:
                print(f"{'(an altered figure)':<32} {'':>7} {'':>7} {'':>8} {'':>9} {'':>7} {'':>5}  caught: {caught[0]}")
                passed += 1
            else:
                print("(an altered figure) was NOT caught — the check does not bite")
                failed += 1
    finally:
        browser.close()
    print(f"pages and PDF/PNG renders in {out}/ ({time.time() - started:.1f} s)")
    print(f"report-pages: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
