#!/bin/sh
# Copies what `kokoro serve` reads at run time out of an asset cache filled (and sha256-
# verified) by scripts/setup.sh: ONNX Runtime's library, the model and its split graphs,
# the vocabulary, the voice packs, misaki's English dictionaries, the Mandarin data (jieba,
# pypinyin) and the Japanese data (unidic-lite's MeCab dictionary, misaki's word list), and the
# decoder statistics.
# Not the downloads, the wheels or the venvs set-up used to make them. Every graph is needed:
# without one of the split graphs the engine falls back to the whole model and whole
# sentences. Used by
# deploy/Dockerfile and scripts/check-runtime-image.sh, so the image and the check carry the
# same files.
#
#   copy-assets.sh SETUP-CACHE DEST
#
# Idempotent: a file already identical at DEST is not copied again.
set -eu
src="$1"
dest="$2"
files="onnxruntime/libonnxruntime.so.1.32.0
kokoro-v1.0.int8.onnx
kokoro-v1.0.int8.front.onnx
kokoro-v1.0.int8.decoder.onnx
kokoro-v1.0.int8.decoder-probe.onnx
kokoro-v1.0.int8.decoder-calibrated.onnx
vocab.json
voices_ja.npz
voices-v1.0.npz
misaki/us_gold.json
misaki/us_silver.json
misaki/gb_gold.json
misaki/gb_silver.json
zh/jieba-dict.txt
zh/jieba-hmm.tsv
zh/pinyin_dict.json
zh/phrases_dict.json
ja/unidic-lite/dicrc
ja/unidic-lite/mecabrc
ja/unidic-lite/sys.dic
ja/unidic-lite/matrix.bin
ja/unidic-lite/char.bin
ja/unidic-lite/unk.dic
ja/ja_words.txt
decoder-statistics/calibration.json
decoder-statistics/af_heart.npy"
missing=""
for f in $files; do [ -f "$src/$f" ] || missing="$missing $f"; done
[ -z "$missing" ] || { echo "copy-assets: missing in $src:$missing (run scripts/setup.sh, with KOKORO_CACHE=$src if that is not your cache)" >&2; exit 1; }
copied=0
for f in $files; do
  mkdir -p "$dest/$(dirname "$f")"
  if ! cmp -s "$src/$f" "$dest/$f"; then
    cp "$src/$f" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"
    copied=$((copied + 1))
  fi
done
# Other voices' statistics set-up calibrated (KOKORO_CALIBRATED_VOICES), if any.
for f in "$src"/decoder-statistics/*.npy; do
  [ -f "$f" ] || continue
  cmp -s "$f" "$dest/decoder-statistics/$(basename "$f")" || { cp "$f" "$dest/decoder-statistics/"; copied=$((copied + 1)); }
done
echo "copy-assets: $dest has the runtime assets ($copied file(s) copied)" >&2
