#!/usr/bin/env python3
"""Checks a running Wyoming TTS server (kokoro's `--wyoming-port`) the way Home Assistant and
wyoming-bench talk to it, with the `wyoming` library's own AsyncTcpClient as the client and a
fresh connection per request (as both of them do). The rules checked are in
docs/wyoming-protocol.md.

  (a) describe -> info: the raw framing (header line with type/version/data_length, then the
      data bytes), answered within Home Assistant's 1 s; the info parses with wyoming's Info;
      the first installed tts program has supports_synthesize_streaming true and installed
      voices, each with languages; the test voice (af_heart) is there with an English language.
  (b) synthesize "Hello there. This is a test." with voice af_heart: audio-start (24000 Hz,
      width 2, 1 channel), audio-chunks in that format, one audio-stop and nothing after it;
      1-6 s of audio that is not silence.
  (c) streaming, as Home Assistant sends it: synthesize-start (voice af_heart), a two-sentence
      text in three synthesize-chunks split mid-word, --chunk-delay apart ("Good mor" /
      "ning, Emma. Please bring the pen" / "cils, the maps and the spoons.", the name and nouns
      drawn at random so that the server's audio cache cannot answer), then the whole text once more as a
      `synthesize` (Home Assistant's backwards-compatibility copy, which a streaming server must
      ignore), then synthesize-stop. Expects audio-start..audio-stop cycles (one per sentence, as
      wyoming-piper sends, or one in all), synthesize-stopped last, as much speech as the same
      text sent whole afterwards (not twice it), and, with --chunk-delay > 0, the first audio before
      synthesize-stop was sent (sentence one is spoken while text still comes). Measures the
      time to the first audio-chunk from the first synthesize-chunk and from the chunk that
      completed sentence one, and from synthesize-stop to synthesize-stopped.
  (d) an unknown voice, whole and streamed: an `error` event (no audio), then the server closes
      the connection (Home Assistant reads until audio-stop / synthesize-stopped or a closed
      connection, and ignores error events, so an open connection would hang it).
  (e) synthesize with no voice at all (Home Assistant's request when no voice is chosen): the
      default voice answers.

Usage (the venv it was written with; any Python 3.9+ with `pip install wyoming` will do):

  python3 -m venv ~/.cache/kokoro-swift/wyoming-venv
  ~/.cache/kokoro-swift/wyoming-venv/bin/pip install wyoming
  ~/.cache/kokoro-swift/wyoming-venv/bin/python scripts/wyoming-check.py HOST PORT \\
      [--out reports/wyoming-check.json] [--voice af_heart] [--chunk-delay 2.0] [--timeout 60] \\
      [--no-unique] [--no-compat-synthesize] [--save-audio DIR]

Prints one line per check and a closing "N passed, N failed" line, writes the JSON report
(default reports/wyoming-check.json in this repository) and exits 1 when any check fails, 2 when
the server cannot be reached.
"""
from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import io
import json
import math
import random
import re
import sys
import time
import wave
from datetime import datetime, timezone
from pathlib import Path

from wyoming import __version__ as WYOMING_VERSION
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event, write_event
from wyoming.info import Describe, Info
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
    SynthesizeVoice,
)

TEXT = "Hello there. This is a test."
# (c) streams a text of its own, with a name and three nouns drawn at random unless --no-unique: the server's
# audio cache would otherwise answer a repeated sentence at once and the streaming timings would mean nothing.
# Four letters or more: sentence-stream (piper's splitter) takes a capital and at most two letters before a full
# stop ("Ben.") for an abbreviation and would hold the sentence back.
STREAM_NAMES = ["Anna", "Clara", "David", "Emma", "Felix", "Grace", "Henry", "Iris", "Jack", "Kate", "Maya", "Noah",
                "Olive", "Paul", "Rosa", "Sophie"]
STREAM_WORDS = ["apples", "blankets", "candles", "ladders", "lemons", "maps", "marbles", "napkins", "pencils",
                "pillows", "ribbons", "saucers", "spoons", "tickets", "towels", "whistles"]
SENTENCE_ONE_COMPLETE_AT = 1  # index of the chunk after which sentence one is known to be complete
DEFAULT_VOICE_TEXT = "Okay."
UNKNOWN_VOICE = "xx_no_such_voice"  # no Kokoro language has the prefix x
RATE, WIDTH, CHANNELS = 24000, 2, 1
HA_INFO_TIMEOUT_S = 1.0  # homeassistant/components/wyoming/data.py: _INFO_TIMEOUT
# A two-letter language first (HA's pipelines use ISO 639-1: "zh", never "cmn"), then regions, _ or - separated.
LANGUAGE_RE = re.compile(r"^[a-z]{2}([_-][A-Za-z0-9]{2,8})*$")
REPO = Path(__file__).resolve().parent.parent


class Checks:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, section: str, name: str, ok: bool, detail: str = "") -> bool:
        self.items.append({"section": section, "check": name, "ok": bool(ok), "detail": detail})
        print(f"{'PASS' if ok else 'FAIL'} [{section}] {name}{' — ' + detail if detail else ''}", flush=True)
        return bool(ok)

    @property
    def failed(self) -> int:
        return sum(not c["ok"] for c in self.items)

    @property
    def passed(self) -> int:
        return sum(c["ok"] for c in self.items)


def stream_chunks(unique: bool) -> list[str]:
    """Two sentences in three synthesize-chunks, split mid-word:
    "Good mor" | "ning, Emma. Please bring the tow" | "els, the maps and the spoons."
    The second chunk's ". P" is what completes sentence one."""
    name = random.choice(STREAM_NAMES) if unique else STREAM_NAMES[0]
    a, b, c = random.sample(STREAM_WORDS, 3) if unique else STREAM_WORDS[:3]
    return ["Good mor", f"ning, {name}. Please bring the {a[:3]}", f"{a[3:]}, the {b} and the {c}."]


def pcm_stats(pcm: bytes) -> dict:
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    n = len(samples)
    rms = math.sqrt(sum(float(s) * s for s in samples) / n) if n else 0.0
    return {"samples": n, "seconds": round(n / RATE, 3), "rms": round(rms, 1), "peak": max((abs(s) for s in samples), default=0)}


def save_wav(directory: str | None, name: str, pcm: bytes) -> None:
    if not directory or not pcm:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    with wave.open(str(Path(directory) / name), "wb") as wav:
        wav.setframerate(RATE)
        wav.setsampwidth(WIDTH)
        wav.setnchannels(CHANNELS)
        wav.writeframes(pcm)


@contextlib.asynccontextmanager
async def connect(host: str, port: int, timeout: float):
    """A fresh AsyncTcpClient connection; closing it never fails the check (the server may have closed first)."""
    client = AsyncTcpClient(host, port, connect_timeout=timeout, read_timeout=timeout)
    await client.connect()
    try:
        yield client
    finally:
        try:
            await client.disconnect()
        except OSError:
            pass


def describe_event(event: Event) -> str:
    if event.type in ("audio-start", "audio-chunk"):
        d = event.data
        extra = f", {len(event.payload or b'')} bytes" if event.type == "audio-chunk" else ""
        return f"{event.type}({d.get('rate')}/{d.get('width')}/{d.get('channels')}{extra})"
    if event.type == "error":
        return f"error({event.data.get('code')}: {event.data.get('text')})"
    return event.type


async def read_until(client: AsyncTcpClient, t0: float, stop_types: tuple[str, ...], log: list) -> str:
    """Read events into `log` as (seconds since t0, Event) until one of `stop_types` arrives.
    Returns the stop type, "closed" when the server closed the connection, or raises TimeoutError."""
    while True:
        event = await client.read_event()
        if event is None:
            return "closed"
        log.append((time.perf_counter() - t0, event))
        if event.type in stop_types:
            return event.type


async def read_trailing(client: AsyncTcpClient, seconds: float) -> tuple[list[Event], bool]:
    """Events that arrive within `seconds` after the expected last one, and whether the server closed."""
    extra: list[Event] = []
    deadline = time.perf_counter() + seconds
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return extra, False
        try:
            event = await asyncio.wait_for(client.read_event(), timeout=left)
        except asyncio.TimeoutError:
            return extra, False
        if event is None:
            return extra, True
        extra.append(event)


def audio_summary(log: list, checks: Checks, section: str) -> dict:
    """Walks a response's events: audio-start/-chunk/-stop cycles and their formats."""
    cycles, chunk_count, pcm = 0, 0, bytearray()
    in_cycle, orphan_chunks, bad_formats, odd_payloads, empty_chunks = False, 0, [], 0, 0
    first_chunk_t = None
    formats = set()
    for t, event in log:
        if AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            formats.add((start.rate, start.width, start.channels))
            if in_cycle:
                bad_formats.append("audio-start inside an open cycle")
            in_cycle, cycles = True, cycles + 1
        elif AudioChunk.is_type(event.type):
            chunk = AudioChunk.from_event(event)
            chunk_count += 1
            if first_chunk_t is None:
                first_chunk_t = t
            if not in_cycle:
                orphan_chunks += 1
            fmt = (chunk.rate, chunk.width, chunk.channels)
            formats.add(fmt)
            if fmt != (RATE, WIDTH, CHANNELS):
                bad_formats.append(f"chunk {fmt}")
            if not chunk.audio:
                empty_chunks += 1
            if len(chunk.audio) % (chunk.width * chunk.channels):
                odd_payloads += 1
            pcm.extend(chunk.audio)
        elif AudioStop.is_type(event.type):
            if not in_cycle:
                bad_formats.append("audio-stop without audio-start")
            in_cycle = False
    stats = pcm_stats(bytes(pcm))
    checks.add(section, "audio format is 24000 Hz, width 2, 1 channel everywhere",
               formats == {(RATE, WIDTH, CHANNELS)} and not bad_formats,
               f"formats {sorted(formats)}" + (f"; {bad_formats[:3]}" if bad_formats else ""))
    checks.add(section, "every audio-chunk is inside an audio-start..audio-stop cycle", orphan_chunks == 0 and cycles > 0,
               f"{cycles} cycle(s), {chunk_count} chunk(s), {orphan_chunks} outside a cycle")
    checks.add(section, "chunk payloads are whole samples", odd_payloads == 0 and chunk_count > 0,
               f"{odd_payloads} odd, {empty_chunks} empty")
    return {"cycles": cycles, "chunks": chunk_count, "first_chunk_s": first_chunk_t, "pcm": bytes(pcm),
            "open_cycle": in_cycle, **stats}


# --- (a) describe --------------------------------------------------------------------------------


async def check_describe(host: str, port: int, voice: str, timeout: float, checks: Checks) -> dict:
    section = "describe"
    result: dict = {}
    # Raw framing, read by hand: the header line, then exactly data_length bytes of JSON.
    t0 = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(json.dumps({"type": "describe"}).encode() + b"\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
        header = json.loads(line)
        data = dict(header.get("data") or {})
        if header.get("data_length"):
            data.update(json.loads(await asyncio.wait_for(reader.readexactly(header["data_length"]), timeout)))
        elapsed = time.perf_counter() - t0
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except Exception:  # noqa: BLE001
            pass
    result["raw_header"] = header
    result["describe_seconds"] = round(elapsed, 4)
    checks.add(section, "header line is a JSON object with type \"info\"", header.get("type") == "info", line[:120].decode(errors="replace").strip())
    checks.add(section, "header carries a version string", isinstance(header.get("version"), str), repr(header.get("version")))
    checks.add(section, "data sent as data_length bytes after the header (as the wyoming library writes it)",
               isinstance(header.get("data_length"), int) and header["data_length"] > 0 and "data" not in header,
               f"data_length={header.get('data_length')!r}, inline data={'data' in header}")
    checks.add(section, "no payload on info", not header.get("payload_length"), f"payload_length={header.get('payload_length')!r}")
    checks.add(section, f"info within Home Assistant's {HA_INFO_TIMEOUT_S:g} s (connect + describe)", elapsed <= HA_INFO_TIMEOUT_S,
               f"{elapsed * 1000:.0f} ms")

    # The same through the library, parsed with Info.from_event as Home Assistant does.
    async with connect(host, port, timeout) as client:
        await client.write_event(Describe().event())
        log: list = []
        end = await read_until(client, time.perf_counter(), ("info",), log)
    if end != "info":
        checks.add(section, "library client gets info", False, f"connection {end}")
        return result
    try:
        info = Info.from_event(log[-1][1])
    except Exception as err:  # noqa: BLE001
        checks.add(section, "info parses with wyoming.info.Info.from_event", False, f"{type(err).__name__}: {err}")
        return result
    checks.add(section, "info parses with wyoming.info.Info.from_event", True)
    programs = [p for p in info.tts if p.installed]
    if not checks.add(section, "an installed tts program", bool(programs), f"{len(info.tts)} tts program(s)"):
        return result
    program = programs[0]
    voices = [v for v in program.voices if v.installed]
    names = [v.name for v in program.voices]
    languages = sorted({lang for v in voices for lang in v.languages})
    result["program"] = {"name": program.name, "version": program.version, "description": program.description,
                         "supports_synthesize_streaming": program.supports_synthesize_streaming,
                         "voices": len(program.voices), "installed_voices": len(voices), "languages": languages}
    result["voices"] = {v.name: v.languages for v in program.voices}
    checks.add(section, "supports_synthesize_streaming is true", program.supports_synthesize_streaming is True,
               repr(program.supports_synthesize_streaming))
    checks.add(section, "installed voices listed", bool(voices), f"{len(voices)} of {len(program.voices)} installed")
    checks.add(section, "voice names are unique", len(names) == len(set(names)))
    no_lang = [v.name for v in voices if not v.languages or not all(isinstance(x, str) and x for x in v.languages)]
    checks.add(section, "every voice has languages", not no_lang, f"missing: {no_lang[:5]}" if no_lang else f"{languages}")
    odd = [lang for lang in languages if not LANGUAGE_RE.match(lang)]
    checks.add(section, "languages are tags Home Assistant can match (en_US, en-US or en style; not cmn)", not odd,
               f"unusual: {odd}" if odd else "")
    mine = next((v for v in voices if v.name == voice), None)
    checks.add(section, f"voice {voice} is installed with an English language",
               mine is not None and any(lang.lower().startswith("en") for lang in mine.languages),
               f"languages {mine.languages}" if mine else "not listed")
    return result


# --- (b) and (e) synthesize ----------------------------------------------------------------------


async def check_synthesize(host: str, port: int, voice: str | None, text: str, timeout: float, checks: Checks,
                           section: str, seconds_range: tuple[float, float]) -> dict:
    log: list = []
    async with connect(host, port, timeout) as client:
        t0 = time.perf_counter()
        await client.write_event(Synthesize(text=text, voice=SynthesizeVoice(name=voice) if voice else None).event())
        end = await read_until(client, t0, ("audio-stop", "error"), log)
        total = time.perf_counter() - t0
        trailing, closed = await read_trailing(client, 0.5) if end == "audio-stop" else ([], False)
    types = [e.type for _, e in log]
    result = {"text": text, "voice": voice, "end": end, "events": len(log), "total_seconds": round(total, 3),
              "trailing_events": [e.type for e in trailing], "closed_after": closed}
    if not checks.add(section, "ends with audio-stop", end == "audio-stop",
                      f"ended with {end}" + (f": {describe_event(log[-1][1])}" if log and end == "error" else "")):
        return result
    checks.add(section, "first event is audio-start", types[0] == "audio-start", f"first {describe_event(log[0][1])}")
    checks.add(section, "one audio-start..audio-stop cycle (Home Assistant stops reading at the first audio-stop)",
               types.count("audio-start") == 1 and types.count("audio-stop") == 1,
               f"{types.count('audio-start')} audio-start, {types.count('audio-stop')} audio-stop")
    audio = audio_summary(log, checks, section)
    stray = [t for t in result["trailing_events"] if t in ("audio-start", "audio-chunk", "audio-stop")]
    checks.add(section, "no audio after audio-stop", not stray, f"within 0.5 s: {result['trailing_events']}" if trailing else "")
    lo, hi = seconds_range
    checks.add(section, f"audio is {lo:g}-{hi:g} s", lo <= audio["seconds"] <= hi, f"{audio['seconds']} s")
    checks.add(section, "audio is not silence", audio["rms"] > 100, f"rms {audio['rms']}, peak {audio['peak']}")
    result.update({k: audio[k] for k in ("cycles", "chunks", "seconds", "rms", "peak")})
    result["first_audio_seconds"] = round(audio["first_chunk_s"], 3) if audio["first_chunk_s"] is not None else None
    result["rtf"] = round(total / audio["seconds"], 3) if audio["seconds"] else None
    result["_pcm"] = audio["pcm"]
    return result


# --- (c) streaming -------------------------------------------------------------------------------


async def whole_seconds(host: str, port: int, voice: str, text: str, timeout: float) -> float | None:
    """Seconds of audio a plain `synthesize` of `text` gives (None if it fails): (c)'s reference."""
    log: list = []
    async with connect(host, port, timeout) as client:
        await client.write_event(Synthesize(text=text, voice=SynthesizeVoice(name=voice)).event())
        end = await read_until(client, time.perf_counter(), ("audio-stop", "error"), log)
    if end != "audio-stop":
        return None
    pcm = b"".join(e.payload or b"" for _, e in log if AudioChunk.is_type(e.type))
    return len(pcm) / (RATE * WIDTH * CHANNELS)


async def check_streaming(host: str, port: int, voice: str, chunks: list[str], chunk_delay: float, timeout: float,
                          compat: bool, checks: Checks) -> dict:
    section = "streaming"
    log: list = []
    sent: dict[str, float] = {}
    chunk_times: list[float] = []
    async with connect(host, port, timeout) as client:
        t0 = time.perf_counter()
        # Home Assistant writes text in one task and reads audio in another (wyoming/tts.py), so do the same.
        reader = asyncio.create_task(read_until(client, t0, ("synthesize-stopped", "error"), log))
        try:
            await client.write_event(SynthesizeStart(voice=SynthesizeVoice(name=voice)).event())
            for i, chunk in enumerate(chunks):
                if i and chunk_delay > 0:
                    await asyncio.sleep(chunk_delay)
                await client.write_event(SynthesizeChunk(text=chunk).event())
                chunk_times.append(time.perf_counter() - t0)
            if compat:
                await client.write_event(Synthesize(text="".join(chunks), voice=SynthesizeVoice(name=voice)).event())
                sent["synthesize"] = time.perf_counter() - t0
            await client.write_event(SynthesizeStop().event())
            sent["synthesize-stop"] = time.perf_counter() - t0
            end = await reader
        except BaseException:
            reader.cancel()
            raise
        trailing, closed = await read_trailing(client, 0.5) if end == "synthesize-stopped" else ([], False)
    types = [e.type for _, e in log]
    result: dict = {"chunks": chunks, "chunk_delay": chunk_delay, "compat_synthesize_sent": compat, "end": end,
                    "events": len(log), "chunk_sent_at": [round(t, 3) for t in chunk_times],
                    "stop_sent_at": round(sent["synthesize-stop"], 3), "trailing_events": [e.type for e in trailing]}
    if not checks.add(section, "ends with synthesize-stopped", end == "synthesize-stopped",
                      f"ended with {end}" + (f": {describe_event(log[-1][1])}" if log and end == "error" else "")):
        return result
    audio = audio_summary(log, checks, section)
    last_audio_stop = max((i for i, t in enumerate(types) if t == "audio-stop"), default=-1)
    checks.add(section, "synthesize-stopped comes after the last audio-stop, with no cycle open",
               last_audio_stop >= 0 and not audio["open_cycle"] and types[-1] == "synthesize-stopped",
               " ".join(describe_event(e) for _, e in log if e.type != "audio-chunk"))
    checks.add(section, "nothing after synthesize-stopped", not trailing, f"within 0.5 s: {result['trailing_events']}" if trailing else "")
    checks.add(section, "audio is 1-6 s", 1.0 <= audio["seconds"] <= 6.0, f"{audio['seconds']} s")
    checks.add(section, "audio is not silence", audio["rms"] > 100, f"rms {audio['rms']}, peak {audio['peak']}")
    # The same text as one plain `synthesize` (after the stream, so the server's cache mostly answers it): had
    # the compatibility `synthesize` been spoken as well, or a word been cut where a chunk ended, the stream
    # would be about twice as long, or differ.
    reference = await whole_seconds(host, port, voice, "".join(chunks), timeout)
    if checks.add(section, "the same text as a plain synthesize (reference) is answered", reference is not None,
                  f"{reference:.2f} s" if reference is not None else "no audio-stop"):
        ratio = audio["seconds"] / reference
        result["whole_text_seconds"] = round(reference, 3)
        result["seconds_vs_whole_text"] = round(ratio, 3)
        checks.add(section, "as much speech as the same text whole (the compatibility `synthesize` was not spoken too)",
                   0.75 <= ratio <= 1.33, f"{audio['seconds']} s streamed vs {reference:.2f} s whole (x{ratio:.2f})")
    first = audio["first_chunk_s"]
    stopped_at = log[-1][0]
    audio_stops = [t for t, e in log if e.type == "audio-stop"]
    result.update({
        "cycles": audio["cycles"], "audio_chunks": audio["chunks"], "seconds": audio["seconds"],
        "rms": audio["rms"],
        "first_audio_from_first_chunk_s": round(first - chunk_times[0], 3),
        "first_audio_from_sentence_one_complete_s": round(first - chunk_times[SENTENCE_ONE_COMPLETE_AT], 3),
        "first_audio_before_stop": first < sent["synthesize-stop"],
        "stop_to_last_audio_stop_s": round(audio_stops[-1] - sent["synthesize-stop"], 3) if audio_stops else None,
        "stop_to_synthesize_stopped_s": round(stopped_at - sent["synthesize-stop"], 3),
        "_pcm": audio["pcm"],
    })
    print(f"     [streaming] first audio-chunk {result['first_audio_from_first_chunk_s'] * 1000:.0f} ms after the first"
          f" synthesize-chunk ({result['first_audio_from_sentence_one_complete_s'] * 1000:.0f} ms after sentence one was"
          f" complete); synthesize-stopped {result['stop_to_synthesize_stopped_s'] * 1000:.0f} ms after synthesize-stop;"
          f" {audio['cycles']} cycle(s)", flush=True)
    if chunk_delay > 0:
        checks.add(section, "first audio arrives before synthesize-stop is sent (sentence one spoken while text still comes)",
                   result["first_audio_before_stop"],
                   f"first audio at {first:.3f} s, synthesize-stop sent at {sent['synthesize-stop']:.3f} s"
                   + ("" if result["first_audio_before_stop"] else
                      f" (or one short sentence takes this server over --chunk-delay {chunk_delay:g} s: raise it to tell)"))
    return result


# --- (d) unknown voice ---------------------------------------------------------------------------


async def check_unknown_voice(host: str, port: int, streamed: bool, timeout: float, checks: Checks) -> dict:
    section = "unknown-voice-stream" if streamed else "unknown-voice"
    log: list = []
    voice = SynthesizeVoice(name=UNKNOWN_VOICE)
    async with connect(host, port, timeout) as client:
        t0 = time.perf_counter()
        if streamed:
            events = [SynthesizeStart(voice=voice).event(), SynthesizeChunk(text="Hello there. ").event(),
                      Synthesize(text="Hello there.", voice=voice).event(), SynthesizeStop().event()]
        else:
            events = [Synthesize(text="Hello there.", voice=voice).event()]
        # All events in one write, so no later write can hit a connection the server has already closed
        # (asyncio then fails the reader too, and the error event would be lost on our side).
        wire = io.BytesIO()
        for event in events:
            write_event(event, wire)
        client._writer.write(wire.getvalue())  # noqa: SLF001 - AsyncTcpClient's own stream
        await client._writer.drain()  # noqa: SLF001
        try:
            end = await read_until(client, t0, ("error", "audio-stop", "synthesize-stopped"), log)
        except asyncio.TimeoutError:
            end = "timeout"
        except ConnectionError:
            end = "reset"
        closed = False
        if end == "error":
            _, closed = await read_trailing(client, 5.0)
    types = [e.type for _, e in log]
    error = Error.from_event(log[-1][1]) if end == "error" else None
    result = {"voice": UNKNOWN_VOICE, "end": end, "events": types, "closed_after_error": closed,
              "error": {"text": error.text, "code": error.code} if error else None}
    checks.add(section, "answered with an error event", error is not None and bool(error.text),
               f"{describe_event(log[-1][1])}" if log else
               "connection reset before anything could be read: the server closed with our events unread, so the"
               " kernel sent a reset; read (or half-close and drain) the rest before closing" if end == "reset" else
               f"ended with {end}")
    checks.add(section, "no audio for an unknown voice", not any(t.startswith("audio-") for t in types), " ".join(types))
    if error is not None:
        checks.add(section, "the server closes the connection after the error (Home Assistant would wait forever)",
                   closed, "closed" if closed else "still open 5 s after the error")
    return result


# --- main ----------------------------------------------------------------------------------------


async def reachable(host: str, port: int, timeout: float) -> None:
    _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    writer.close()
    await writer.wait_closed()


async def run(args: argparse.Namespace) -> tuple[dict, Checks]:
    checks = Checks()
    report: dict = {"server": f"{args.host}:{args.port}", "wyoming_library": WYOMING_VERSION,
                    "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "voice": args.voice, "text": TEXT}

    async def step(key: str, coro):
        try:
            report[key] = await coro
        except (asyncio.TimeoutError, TimeoutError):
            checks.add(key, "answered in time", False, f"no event for {args.timeout:g} s")
        except Exception as err:  # noqa: BLE001 - a broken exchange is a failed check, and the next ones still run
            checks.add(key, "protocol exchange", False, f"{type(err).__name__}: {err}")

    await step("describe", check_describe(args.host, args.port, args.voice, args.timeout, checks))
    await step("synthesize", check_synthesize(args.host, args.port, args.voice, TEXT, args.timeout, checks, "synthesize", (1.0, 6.0)))
    await step("streaming", check_streaming(args.host, args.port, args.voice, stream_chunks(not args.no_unique),
                                            args.chunk_delay, args.timeout, not args.no_compat_synthesize, checks))
    await step("unknown_voice", check_unknown_voice(args.host, args.port, False, args.timeout, checks))
    await step("unknown_voice_stream", check_unknown_voice(args.host, args.port, True, args.timeout, checks))
    await step("default_voice", check_synthesize(args.host, args.port, None, DEFAULT_VOICE_TEXT, args.timeout, checks,
                                                 "default-voice", (0.2, 4.0)))
    for key, name in (("synthesize", "synthesize.wav"), ("streaming", "streaming.wav"), ("default_voice", "default-voice.wav")):
        section = report.get(key)
        if isinstance(section, dict):
            save_wav(args.save_audio, name, section.pop("_pcm", b""))
    return report, checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--out", default=str(REPO / "reports" / "wyoming-check.json"), help="JSON report (default %(default)s)")
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--chunk-delay", type=float, default=2.0,
                        help="seconds between synthesize-chunks in (c); 0 sends them at once and skips the"
                             " first-audio-before-stop check (default %(default)s)")
    parser.add_argument("--no-compat-synthesize", action="store_true",
                        help="in (c), do not send Home Assistant's backwards-compatibility `synthesize` inside the stream")
    parser.add_argument("--no-unique", action="store_true",
                        help="in (c), always the same text (by default a name and three nouns are drawn at random so that"
                             " the server's audio cache cannot answer and the streaming timings are cold)")
    parser.add_argument("--timeout", type=float, default=60.0, help="connect and per-event read timeout (default %(default)s)")
    parser.add_argument("--save-audio", metavar="DIR", help="also write the received audio as WAV files there")
    args = parser.parse_args()

    try:
        asyncio.run(reachable(args.host, args.port, min(args.timeout, 10.0)))
    except (OSError, asyncio.TimeoutError) as err:
        print(f"cannot connect to {args.host}:{args.port}: {err!r}", file=sys.stderr)
        return 2

    report, checks = asyncio.run(run(args))
    report["checks"] = checks.items
    report["passed"], report["failed"] = checks.passed, checks.failed
    report["ok"] = checks.failed == 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"report: {out}")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
