#!/usr/bin/env python3
"""Drives a running kokoro server with the real OpenAI Python SDK, for every format, streamed
and not, and checks each file with ffprobe/ffmpeg: decodable, 24 kHz (Opus: 48 kHz, as every
Opus decoder outputs), mono, and a duration that matches between streamed and whole. Then
Server-Sent Events (`stream_format="sse"`, with `instructions` and the voice `marin`) as the
SDK streams them and parsed with the SDK's own SSE decoder: every event is JSON with a known
type, the deltas' base64 audio decodes to the duration the usage counts (25 ms frames), the
usage adds up, our `speech.audio.timestamps` events (which a client dispatching on OpenAI's
types skips) carry every word of the text in order, and the response says the instructions
were not followed.

Usage: openai-sdk-check.py [BASE_URL]   (default http://127.0.0.1:8880/v1; needs `pip install openai`)
Writes reports/openai-sdk-check.json; exits non-zero when any check fails.
"""
import base64, json, os, subprocess, sys, tempfile, time

from openai import OpenAI
from openai._streaming import SSEDecoder

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8880/v1"
TEXT = "Hello there! This is a quick test of the speech server, and it should start talking right away."
FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"]


def probe(path, fmt):
    """(sample_rate, channels, seconds decoded)."""
    args = ["-f", "s16le", "-ar", "24000", "-ac", "1"] if fmt == "pcm" else []
    info = subprocess.run(["ffprobe", "-v", "error", *args, "-show_entries", "stream=sample_rate,channels",
                           "-of", "json", path], capture_output=True, text=True, check=True)
    stream = json.loads(info.stdout)["streams"][0]
    pcm = subprocess.run(["ffmpeg", "-v", "error", *args, "-i", path, "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    rate = int(stream["sample_rate"])
    return rate, int(stream["channels"]), len(pcm) / 2 / rate


def main():
    client = OpenAI(base_url=BASE, api_key=os.environ.get("KOKORO_API_KEY", "not-needed"))
    results, failures = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            durations = {}
            for streamed in (True, False):
                path = os.path.join(tmp, f"speech-{'stream' if streamed else 'whole'}.{fmt}")
                start = time.monotonic()
                if streamed:
                    with client.audio.speech.with_streaming_response.create(
                            model="tts-1", voice="alloy", input=TEXT, response_format=fmt) as response:
                        response.stream_to_file(path)
                else:
                    response = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, response_format=fmt,
                                                          extra_body={"stream": False})
                    response.write_to_file(path)
                elapsed = time.monotonic() - start
                rate, channels, seconds = probe(path, fmt)
                durations[streamed] = seconds
                ok = channels == 1 and rate == (48000 if fmt == "opus" else 24000) and 3 < seconds < 10
                failures += not ok
                results.append({"format": fmt, "streamed": streamed, "sample_rate": rate, "channels": channels,
                                "seconds": round(seconds, 3), "request_seconds": round(elapsed, 3), "ok": ok})
                print(f"{'ok ' if ok else 'BAD'} {fmt:5} {'stream' if streamed else 'whole ':6} {rate} Hz {channels} ch {seconds:.2f} s")
            if abs(durations[True] - durations[False]) > 0.1:
                failures += 1
                print(f"BAD {fmt}: streamed {durations[True]:.2f} s vs whole {durations[False]:.2f} s")
        # Server-Sent Events, read the way the SDK streams a response.
        path = os.path.join(tmp, "speech-sse.mp3")
        with client.audio.speech.with_streaming_response.create(
                model="gpt-4o-mini-tts", voice="marin", input=TEXT, response_format="mp3", stream_format="sse",
                instructions="Speak cheerfully.") as response:
            ignored = response.headers.get("x-instructions-ignored")
            types, audio, usage, words = [], b"", None, []
            for sse in SSEDecoder().iter_bytes(response.iter_bytes()):
                event = sse.json()
                types.append(event["type"])
                if event["type"] == "speech.audio.delta":
                    audio += base64.b64decode(event["audio"])
                elif event["type"] == "speech.audio.done":
                    usage = event["usage"]
                elif event["type"] == "speech.audio.timestamps":
                    words += [w["word"] for w in event["timestamps"]]
        with open(path, "wb") as f:
            f.write(audio)
        rate, channels, seconds = probe(path, "mp3")
        ok = (types and types[-1] == "speech.audio.done" and set(types[:-1]) == {"speech.audio.delta", "speech.audio.timestamps"}
              and words == TEXT.split() and usage is not None
              and usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] and 3 < seconds < 10
              and abs(seconds - usage["output_tokens"] / 40) < 0.15 and ignored is not None)
        failures += not ok
        results.append({"format": "mp3", "streamed": "sse", "events": len(types), "words": words, "usage": usage, "seconds": round(seconds, 3),
                        "instructions_ignored_header": ignored, "ok": bool(ok)})
        print(f"{'ok ' if ok else 'BAD'} mp3   sse    {len(types)} events, {seconds:.2f} s, usage {usage}")
    os.makedirs("reports", exist_ok=True)
    with open("reports/openai-sdk-check.json", "w") as f:
        json.dump({"base_url": BASE, "results": results, "failures": failures}, f, indent=2)
    print(f"{len(results) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
