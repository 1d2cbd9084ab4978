#!/usr/bin/env python3
"""Drive the server's web page (GET /) in headless Chromium and check that speech streams.

Usage: scripts/webpage-check.py http://127.0.0.1:8899 [--screenshot /tmp/webpage.png]
       [--format mp3] [--voice2 af_bella] [--text TEXT] [--api-key KEY] [--dark]
       [--timeout 60] [--chromium PATH]

Starts Chromium itself (needs `chromium` from Debian and the `websocket-client` package),
opens the page, presses Speak with a real mouse click, waits until playback is done, then
prints the TTFA/total/audio readout, the status line and any JavaScript errors.
Exits non-zero on JavaScript errors, on an error in the status line, or if no audio arrived.
"""
import argparse, base64, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

import websocket  # pip install websocket-client


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CDP:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def pump(self, seconds):
        """Collect events for a while."""
        end = time.time() + seconds
        self.ws.settimeout(0.1)
        while time.time() < end:
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if "method" in msg:
                self.events.append(msg)
        self.ws.settimeout(30)

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate {expression!r}: {r['exceptionDetails']}")
        return r["result"].get("value")


def js_errors(events):
    errors = []
    for e in events:
        if e["method"] == "Runtime.exceptionThrown":
            d = e["params"]["exceptionDetails"]
            errors.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
        elif e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"):
            args = e["params"].get("args", [])
            errors.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in args))
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", help="server base URL, e.g. http://127.0.0.1:8899")
    ap.add_argument("--screenshot", help="write a PNG of the page here at the end")
    ap.add_argument("--format", default=None, help="select this download format before speaking")
    ap.add_argument("--voice2", default=None, help="blend with this second voice")
    ap.add_argument("--text", default=None, help="text to speak instead of the prefilled one")
    ap.add_argument("--api-key", default=None)
    ap.add_argument("--dark", action="store_true", help="emulate prefers-color-scheme: dark")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    args = ap.parse_args()

    port = free_port()
    profile = tempfile.mkdtemp(prefix="webpage-check-")
    chrome = subprocess.Popen([args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                               "--autoplay-policy=no-user-gesture-required", "--no-first-run",
                               f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
                               "--window-size=900,1100", "about:blank"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return run(args, port)
    finally:
        chrome.terminate()
        try:
            chrome.wait(10)
        except subprocess.TimeoutExpired:
            chrome.kill()
        shutil.rmtree(profile, ignore_errors=True)


def run(args, port):
    targets = None
    for _ in range(100):
        try:
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
            if any(t["type"] == "page" for t in targets):
                break
        except OSError:
            pass
        time.sleep(0.1)
    if not targets:
        print("chromium did not start", file=sys.stderr)
        return 2
    page = next(t for t in targets if t["type"] == "page")
    cdp = CDP(page["webSocketDebuggerUrl"])
    cdp.call("Runtime.enable")
    cdp.call("Page.enable")
    cdp.call("Emulation.setDeviceMetricsOverride", width=900, height=1100, deviceScaleFactor=1, mobile=False)
    if args.dark:
        cdp.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark"}])
    cdp.call("Page.navigate", url=args.url.rstrip("/") + "/")
    deadline = time.time() + 20
    while time.time() < deadline:  # page loaded and voices listed
        try:
            if cdp.js("document.readyState === 'complete' && document.getElementById('voice').options.length > 1"):
                break
        except RuntimeError:
            pass
        cdp.pump(0.2)
    n_voices = cdp.js("document.getElementById('voice') ? document.getElementById('voice').options.length : 0")
    print(f"voices listed: {n_voices}")

    if args.api_key is not None:
        cdp.js(f"(() => {{ const k = document.getElementById('apikey'); k.value = {json.dumps(args.api_key)};"
               " k.dispatchEvent(new Event('change')); })()")
        cdp.pump(1)
    if args.text is not None:
        cdp.js(f"document.getElementById('text').value = {json.dumps(args.text)}")
    if args.format:
        cdp.js(f"document.getElementById('format').value = {json.dumps(args.format)}")
    if args.voice2:
        cdp.js(f"(() => {{ const v = document.getElementById('voice2'); v.value = {json.dumps(args.voice2)};"
               " v.dispatchEvent(new Event('input')); })()")
    fmt = cdp.js("document.getElementById('format').value")
    print(f"voice: {cdp.js('voiceSpec()')}  format: {fmt}")

    # A real click, so the AudioContext starts under a user gesture as it would for a person.
    rect = cdp.js("(() => { const r = document.getElementById('speak').getBoundingClientRect();"
                  " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    for kind in ("mousePressed", "mouseReleased"):
        cdp.call("Input.dispatchMouseEvent", type=kind, x=rect[0], y=rect[1], button="left", clickCount=1)

    deadline = time.time() + args.timeout
    status = ""
    while time.time() < deadline:
        cdp.pump(0.25)
        status, cls, dl_hidden = cdp.js("(() => { const s = document.getElementById('status');"
                                        " return [s.textContent, s.className, document.getElementById('download').hidden]; })()")
        if cls == "err" or (status.startswith("Done") and not dl_hidden):
            break
    cdp.pump(0.3)
    stats = cdp.js("document.getElementById('stats').textContent")
    rate = cdp.js("typeof ctx === 'object' && ctx ? ctx.sampleRate : null")
    download = cdp.js("(() => { const a = document.getElementById('download');"
                      " return a.hidden ? null : a.download; })()")
    dl_info = None
    if download:  # size of the offered file, and for WAV whether its header matches the PCM
        dl_info = cdp.js("""(async () => { const b = new Uint8Array(await (await fetch(
            document.getElementById('download').href)).arrayBuffer());
            const d = new DataView(b.buffer), tag = (o) => String.fromCharCode(...b.slice(o, o + 4));
            if (tag(0) !== 'RIFF') return {bytes: b.length};
            return {bytes: b.length, wavOK: tag(8) === 'WAVE' && d.getUint32(4, true) === b.length - 8 &&
              d.getUint32(24, true) === 24000 && d.getUint16(34, true) === 16 && tag(36) === 'data' &&
              d.getUint32(40, true) === b.length - 44}; })()""")
    if args.screenshot:
        png = cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(args.screenshot, "wb") as f:
            f.write(base64.b64decode(png))

    errors = js_errors(cdp.events)
    print(f"readout: {stats}  (AudioContext at {rate} Hz)")
    print(f"status: {status}")
    print(f"download: {download} {dl_info}")
    if args.screenshot:
        print(f"screenshot: {args.screenshot}")
    print(f"js errors: {len(errors)}")
    for e in errors:
        print("  " + e)

    m = re.search(r"TTFA: (\d+) ms .* audio ([\d.]+) s", stats or "")
    failed = False
    if errors:
        failed = True
    if not m or float(m.group(2)) <= 0:
        print("FAIL: no audio arrived", file=sys.stderr)
        failed = True
    if status and "err" == cdp.js("document.getElementById('status').className"):
        print("FAIL: the page shows an error", file=sys.stderr)
        failed = True
    if not download:
        print("FAIL: no download offered", file=sys.stderr)
        failed = True
    if dl_info and dl_info.get("wavOK") is False:
        print("FAIL: the WAV header does not match its data", file=sys.stderr)
        failed = True
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
