#!/usr/bin/env python3
"""Drives a running server's live WebSocket (/v1/audio/speech/live) as an LLM app would: text
fed a word at a time at about 30 tokens a second, with `websockets` (PyPI) as the client.

Checks: every sentence is announced in order and spoken (PCM, not silence); the first
sentence's audio starts while the text is still open (the feed waits for it after the word that
completes sentence one, so the check does not depend on speed); the timestamps name every word of the
text in order and lie within the audio; `done` counts the audio sent; a bad message gets an
error event and the connection closes; and a client that leaves mid-sentence frees its slot
(/v1/stats shows nothing active within 10 s). With --bench, only the timing: when the first
sentence was complete (the first word after it sent), when its first audio came, and the
server's time to first audio for that sentence alone over the same route (the audio cache
off for both); writes JSON.

Usage: live-check.py [BASE_URL] [--bench] [--out reports/live-check.json]
       (default http://127.0.0.1:8880; needs `pip install websockets`)
Exits non-zero when a check fails.
"""
import argparse, asyncio, json, os, re, struct, sys, time, urllib.request

import websockets

TEXT = ("The first sentence is short. The second one carries on a little longer, as an answer "
        "would. And the third, at 9:45 AM, ends it.")


def stats(base):
    with urllib.request.urlopen(base + "/v1/stats", timeout=10) as response:
        return json.load(response)


def ws_url(base):
    return re.sub(r"^http", "ws", base) + "/v1/audio/speech/live"


async def speak(base, pieces, rate=30.0, voice="af_heart", cache=True, hold_after=None):
    """Feeds `pieces` at `rate` a second; returns everything heard, with times. With
    `hold_after` = n, the feed pauses after n pieces until the first audio comes (at most
    60 s), so whether audio comes while the text is still open does not depend on speed."""
    heard = {"sentences": [], "audio": b"", "timestamps": [], "done": None, "first_audio": None, "errors": []}
    first_audio = asyncio.Event()
    async with websockets.connect(ws_url(base), max_size=None) as ws:
        start = time.monotonic()
        sent_at = []

        async def feed():
            await ws.send(json.dumps({"type": "start", "voice": voice, "no_cache": not cache}))
            for index, piece in enumerate(pieces):
                if index == hold_after:
                    try:
                        await asyncio.wait_for(first_audio.wait(), 60)
                    except asyncio.TimeoutError:
                        pass
                await ws.send(json.dumps({"type": "text", "text": piece}))
                sent_at.append(time.monotonic() - start)
                await asyncio.sleep(1 / rate)
            heard["end_sent"] = time.monotonic() - start
            await ws.send(json.dumps({"type": "end"}))

        feeder = asyncio.create_task(feed())
        async for message in ws:
            if isinstance(message, bytes):
                if heard["first_audio"] is None:
                    heard["first_audio"] = time.monotonic() - start
                    first_audio.set()
                heard["audio"] += message
                continue
            event = json.loads(message)
            if event["type"] == "sentence":
                heard["sentences"].append(event["text"])
            elif event["type"] == "timestamps":
                heard["timestamps"] += event["timestamps"]
            elif event["type"] == "done":
                heard["done"] = event
            elif event["type"] == "error":
                heard["errors"].append(event["error"])
        await feeder
        heard["sent_at"] = sent_at
    return heard


def pieces_of(text):
    """Word by word, each after the first with its leading space, as an LLM streams tokens."""
    words = text.split(" ")
    return [words[0]] + [" " + w for w in words[1:]]


async def first_sentence_timing(base, text):
    pieces = pieces_of(text)
    first = re.split(r"(?<=[.!?])\s+", text)[0]
    heard = await speak(base, pieces, cache=False)
    # The first sentence is complete when the word after it is sent.
    complete_at = heard["sent_at"][len(first.split(" "))]
    alone = await speak(base, [first], rate=1000, cache=False)
    return {"first_sentence": first, "complete_at_s": round(complete_at, 3),
            "first_audio_s": round(heard["first_audio"], 3), "after_complete_s": round(heard["first_audio"] - complete_at, 3),
            "ttfa_alone_s": round(alone["first_audio"] - alone["sent_at"][0], 3), "text_finished_s": round(heard["sent_at"][-1], 3)}


async def main_async(args):
    base = args.base.rstrip("/")
    report = {"base": base}
    if args.bench:
        runs = [await first_sentence_timing(base, TEXT) for _ in range(3)]
        report["runs"] = runs
        for run in runs:
            print(f"first sentence complete at {run['complete_at_s']:.3f} s, its audio at {run['first_audio_s']:.3f} s "
                  f"({run['after_complete_s']:.3f} s after; the server's TTFA for it alone {run['ttfa_alone_s']:.3f} s); "
                  f"text finished at {run['text_finished_s']:.3f} s")
        return report, 0
    checks = []

    def check(name, ok, detail=""):
        checks.append({"check": name, "ok": bool(ok), "detail": detail})
        print(f"{'PASS' if ok else 'FAIL'} {name}{' — ' + detail if detail else ''}")

    pieces = pieces_of(TEXT)
    # Held after the word that completes sentence one: its audio must come with the text open.
    heard = await speak(base, pieces, hold_after=len(TEXT.split(". ")[0].split(" ")) + 1)
    sentences = re.split(r"(?<=[.!?])\s+", TEXT)
    check("every sentence announced, in order", heard["sentences"] == sentences, str(heard["sentences"]))
    samples = struct.unpack(f"<{len(heard['audio']) // 2}h", heard["audio"][: len(heard["audio"]) // 2 * 2])
    seconds = len(samples) / 24000
    rms = (sum(s * s for s in samples) / max(len(samples), 1)) ** 0.5
    check("the audio is speech-length PCM, not silence", 4 < seconds < 20 and rms > 300, f"{seconds:.2f} s, rms {rms:.0f}")
    check("sentence one is spoken while the text is still open", heard["first_audio"] is not None and heard["first_audio"] < heard["end_sent"],
          f"first audio {heard['first_audio'] or 0:.2f} s, end sent {heard['end_sent']:.2f} s")
    words = [w["word"] for w in heard["timestamps"]]
    expected = TEXT.replace("9:45 AM", "9:45_AM").split(" ")
    check("timestamps name every word of the text in order", words == [w.replace("_", " ") for w in expected], str(words))
    starts = [w["start_time"] for w in heard["timestamps"]]
    check("timestamps rise and lie within the audio", starts == sorted(starts) and all(w["end_time"] <= seconds + 0.01 for w in heard["timestamps"]))
    check("done counts the audio sent", heard["done"] is not None and abs(heard["done"]["audio_seconds"] - seconds) < 0.01, str(heard["done"]))
    check("no error", not heard["errors"], str(heard["errors"]))

    async with websockets.connect(ws_url(base)) as ws:
        await ws.send("not json")
        event = json.loads(await ws.recv())
        check("a bad message gets an error event", event.get("type") == "error" and "JSON" in event["error"]["message"], str(event))
        try:
            await asyncio.wait_for(ws.recv(), 5)
            closed = False
        except websockets.ConnectionClosed:
            closed = True
        check("then the connection closes", closed)

    async with websockets.connect(ws_url(base), max_size=None) as ws:
        await ws.send(json.dumps({"type": "text", "text": "A client that leaves in the middle of a long sentence, which goes on and on, "
                                                          "must free its slot at once. Then more. "}))
        while not isinstance(await ws.recv(), bytes):
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        queue = stats(base)["queue"]
        active = queue["active"] + queue["queued"]
        if not active:
            break
        await asyncio.sleep(0.2)
    check("a client that leaves frees its slot", not active, f"active {active}")
    report["checks"] = checks
    failures = sum(not c["ok"] for c in checks)
    print(f"{len(checks) - failures} passed, {failures} failed")
    return report, 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8880")
    parser.add_argument("--bench", action="store_true")
    parser.add_argument("--out", default="reports/live-check.json")
    args = parser.parse_args()
    report, status = asyncio.run(main_async(args))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    sys.exit(status)


if __name__ == "__main__":
    main()
