/// The single page served at `GET /`: a small text-to-speech playground that streams
/// `response_format: "pcm"` from `/v1/audio/speech` and plays it with Web Audio while it
/// arrives. Self-contained (inline CSS and JS, no external assets).
enum WebPage {
    static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kokoro TTS</title>
<link rel="icon" href="data:,">
<style>
:root { color-scheme: light dark; --bg: #f7f7f8; --fg: #1b1b1f; --muted: #5f6170; --card: #fff;
  --line: #d6d7dd; --accent: #4f46e5; --accent-fg: #fff; --err: #c62828; --ok: #2e7d32; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15161a; --fg: #e8e8ec; --muted: #a2a4b0; --card: #1f2026; --line: #3a3b44;
    --accent: #8b85ff; --accent-fg: #111; --err: #ff6b6b; --ok: #6fcf73; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h1 + p { margin: 0 0 1.25rem; color: var(--muted); }
form { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem;
  display: grid; gap: 1rem; }
label, legend { font-weight: 600; font-size: .9rem; }
textarea, select, input[type=text], input[type=password] { width: 100%; font: inherit; color: inherit;
  background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: .5rem .6rem; }
textarea { min-height: 7rem; resize: vertical; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 1rem; }
.field { display: grid; gap: .3rem; align-content: start; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 0; padding: .6rem .8rem .8rem; }
input[type=range] { width: 100%; accent-color: var(--accent); }
.hint { color: var(--muted); font-size: .85rem; font-weight: 400; }
.buttons { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; }
button { font: inherit; font-weight: 600; border-radius: 8px; padding: .55rem 1.3rem; cursor: pointer;
  border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
button:disabled { opacity: .5; cursor: default; }
#download { font-weight: 600; color: var(--accent); }
output { display: block; }
#status { min-height: 1.5em; }
#status.err { color: var(--err); font-weight: 600; }
#status.ok { color: var(--ok); }
#stats { font-variant-numeric: tabular-nums; color: var(--muted); font-size: .9rem; }
</style>
</head>
<body>
<main>
<h1>Kokoro text to speech</h1>
<p>Kokoro-82M running locally, with an OpenAI-compatible API at <code>/v1/audio/speech</code>.</p>
<form id="form">
  <div class="field">
    <label for="text">Text</label>
    <textarea id="text" required>Hello! I'm Kokoro, a small text-to-speech model running right here on your own computer. How does my voice sound?</textarea>
    <span class="hint">Ctrl+Enter speaks.</span>
  </div>
  <div class="row">
    <div class="field">
      <label for="voice">Voice</label>
      <select id="voice"><option value="af_heart">af_heart</option></select>
    </div>
    <div class="field">
      <label for="voice2">Blend with <span class="hint">(optional)</span></label>
      <select id="voice2"><option value="">None</option></select>
    </div>
  </div>
  <div class="field" id="mixField" hidden>
    <label for="mix">Mix: <span id="mixText"></span></label>
    <input type="range" id="mix" min="5" max="95" step="5" value="50" aria-describedby="voiceSpec">
    <span class="hint">Voice sent: <code id="voiceSpec"></code></span>
  </div>
  <div class="row">
    <div class="field">
      <label for="speed">Speed: <span id="speedText">1.00</span>×</label>
      <input type="range" id="speed" min="0.5" max="2" step="0.05" value="1">
    </div>
    <div class="field">
      <label for="format">Download format</label>
      <select id="format">
        <option>mp3</option><option>opus</option><option>aac</option>
        <option>flac</option><option>wav</option><option>pcm</option>
      </select>
    </div>
    <div class="field">
      <label for="apikey">API key <span class="hint">(optional)</span></label>
      <input type="password" id="apikey" autocomplete="off">
    </div>
  </div>
  <div class="buttons">
    <button type="submit" class="primary" id="speak">Speak</button>
    <button type="button" id="stop" disabled>Stop</button>
    <a id="download" hidden download>Download</a>
  </div>
  <output id="status" role="status" aria-live="polite"></output>
  <output id="stats" aria-live="off">TTFA: – ms</output>
</form>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const RATE = 24000;
const LANGS = { "en-us": "American English", "en-gb": "British English", "es": "Spanish",
  "fr-fr": "French", "hi": "Hindi", "it": "Italian", "ja": "Japanese",
  "pt-br": "Brazilian Portuguese", "cmn": "Mandarin Chinese", "zh": "Mandarin Chinese", "unknown": "Other" };
const EXT = { mp3: "mp3", opus: "ogg", aac: "aac", flac: "flac", wav: "wav", pcm: "pcm" };
let ctx = null, run = null, runId = 0, downloadURL = null;

function setStatus(msg, kind) {
  const s = $("status"); s.textContent = msg; s.className = kind || "";
}
function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("apikey").value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}
async function errorMessage(res) {
  let msg = res.status + " " + res.statusText;
  try { const j = await res.json(); if (j && j.error && j.error.message) msg = j.error.message; } catch (e) {}
  if (res.status === 401) { msg += " — enter the server's API key in the API key field."; $("apikey").focus(); }
  return msg;
}

// ---- voices ----
let voiceRetry = null;
async function loadVoices() {
  clearTimeout(voiceRetry);
  let voices;
  try {
    const res = await fetch("/v1/audio/voices", { headers: headers() });
    if (!res.ok) {
      const msg = "Could not load voices: " + await errorMessage(res);
      if (res.status === 503) { voiceRetry = setTimeout(loadVoices, 2000); setStatus(msg + " Retrying…", "err"); }
      else setStatus(msg, "err");
      return;
    }
    voices = (await res.json()).voices || [];
  } catch (e) {
    voiceRetry = setTimeout(loadVoices, 3000);
    setStatus("Could not load voices: " + e.message + " Retrying…", "err");
    return;
  }
  const groups = new Map();
  for (const v of voices) {
    const lang = LANGS[v.language] || v.language || "Other";
    if (!groups.has(lang)) groups.set(lang, []);
    groups.get(lang).push(v);
  }
  for (const sel of [$("voice"), $("voice2")]) {
    const keep = sel.value || (sel.id === "voice" ? "af_heart" : "");
    sel.textContent = "";
    if (sel.id === "voice2") sel.add(new Option("None", ""));
    for (const [lang, list] of groups) {
      const g = document.createElement("optgroup"); g.label = lang;
      for (const v of list) {
        const label = (v.name || v.id) + " (" + v.id + (v.gender ? ", " + v.gender : "") + ")";
        g.appendChild(new Option(label, v.id));
      }
      sel.appendChild(g);
    }
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  }
  updateVoice();
  if ($("status").className === "err" && !run) setStatus("");
}

// ---- voice blend: a(w1)+b(w2), weights as small integers ----
function gcd(a, b) { return b ? gcd(b, a % b) : a; }
function voiceSpec() {
  const a = $("voice").value, b = $("voice2").value;
  if (!b || b === a) return a;
  const p = Number($("mix").value), q = 100 - p, g = gcd(p, q);
  return a + "(" + p / g + ")+" + b + "(" + q / g + ")";
}
function updateVoice() {
  const b = $("voice2").value, blend = b && b !== $("voice").value;
  $("mixField").hidden = !blend;
  const p = Number($("mix").value);
  $("mixText").textContent = p + "% " + $("voice").value + " / " + (100 - p) + "% " + b;
  $("mix").setAttribute("aria-valuetext", $("mixText").textContent);
  $("voiceSpec").textContent = voiceSpec();
}

// ---- audio ----
function audioContext() {
  if (!ctx) {
    try { ctx = new AudioContext({ sampleRate: RATE }); } catch (e) { ctx = new AudioContext(); }
  }
  return ctx;
}
function wavFile(chunks, bytes) {
  const h = new DataView(new ArrayBuffer(44));
  const str = (o, s) => { for (let i = 0; i < 4; i++) h.setUint8(o + i, s.charCodeAt(i)); };
  str(0, "RIFF"); h.setUint32(4, 36 + bytes, true); str(8, "WAVE");
  str(12, "fmt "); h.setUint32(16, 16, true); h.setUint16(20, 1, true); h.setUint16(22, 1, true);
  h.setUint32(24, RATE, true); h.setUint32(28, RATE * 2, true); h.setUint16(32, 2, true);
  h.setUint16(34, 16, true); str(36, "data"); h.setUint32(40, bytes, true);
  return new Blob([h.buffer, ...chunks], { type: "audio/wav" });
}
function offerDownload(blob, format) {
  if (downloadURL) URL.revokeObjectURL(downloadURL);
  downloadURL = URL.createObjectURL(blob);
  const a = $("download");
  a.href = downloadURL; a.download = "speech." + EXT[format];
  a.textContent = "Download speech." + EXT[format]; a.hidden = false;
}
function stop(quiet) {
  if (!run) return;
  const r = run; run = null;
  r.abort.abort();
  if (r.reader) r.reader.cancel().catch(() => {});
  for (const s of r.sources) { try { s.stop(); } catch (e) {} }
  $("stop").disabled = true;
  if (!quiet) setStatus("Stopped.");
}

async function speak() {
  stop(true);
  const t0 = performance.now();
  const id = ++runId;
  const text = $("text").value.trim();
  if (!text) { setStatus("Type some text first.", "err"); $("text").focus(); return; }
  const format = $("format").value;
  const req = { model: "kokoro", input: text, voice: voiceSpec(), response_format: "pcm",
    speed: Number($("speed").value), stream: true };
  const ac = audioContext();
  ac.resume().catch(() => {});
  const r = run = { abort: new AbortController(), reader: null, sources: [] };
  $("stop").disabled = false; $("download").hidden = true;
  $("stats").textContent = "TTFA: … ms";
  setStatus("Generating…");
  let res;
  try {
    res = await fetch("/v1/audio/speech", { method: "POST", headers: headers(),
      body: JSON.stringify(req), signal: r.abort.signal });
    if (!res.ok) throw new Error(await errorMessage(res));
  } catch (e) {
    if (id === runId && e.name !== "AbortError") {
      run = null; $("stop").disabled = true; $("stats").textContent = "TTFA: – ms"; setStatus(e.message, "err");
    }
    return;
  }
  r.reader = res.body.getReader();
  const chunks = []; let bytes = 0, carry = null, ttfa = null, next = 0, pending = 0, gaps = 0;
  const stats = (done) => {
    $("stats").textContent = "TTFA: " + (ttfa === null ? "–" : Math.round(ttfa)) + " ms · total " +
      ((done || performance.now()) - t0).toFixed(0) + " ms · audio " + (bytes / 2 / RATE).toFixed(2) + " s" +
      (gaps ? " · " + gaps + (gaps > 1 ? " gaps" : " gap") + " (audio arrived late)" : "");
  };
  try {
    for (;;) {
      const { done, value } = await r.reader.read();
      if (done || id !== runId) break;
      if (!value || value.length === 0) continue;
      let data = value;
      if (carry !== null) { data = new Uint8Array(value.length + 1); data[0] = carry; data.set(value, 1); carry = null; }
      if (data.length & 1) { carry = data[data.length - 1]; data = data.slice(0, data.length - 1); }
      else if (data === value) data = value.slice();
      if (data.length === 0) continue;
      if (ttfa === null) {
        ttfa = performance.now() - t0;
        setStatus("Playing…");
      }
      chunks.push(data); bytes += data.length;
      const view = new DataView(data.buffer, data.byteOffset, data.length);
      const n = data.length >> 1, f = new Float32Array(n);
      for (let i = 0; i < n; i++) f[i] = view.getInt16(i * 2, true) / 32768;
      const buf = ac.createBuffer(1, n, RATE);
      buf.getChannelData(0).set(f);
      const src = ac.createBufferSource();
      src.buffer = buf; src.connect(ac.destination);
      if (next < ac.currentTime + 0.02) {  // first chunk, or the stream fell behind playback
        if (next > 0) gaps++;
        next = ac.currentTime + (next > 0 ? 0.2 : 0.05);  // after a gap, keep more in hand
      }
      src.start(next); next += buf.duration;
      r.sources.push(src); pending++;
      src.onended = () => {
        if (--pending === 0 && r.finished && run === r) { run = null; $("stop").disabled = true; setStatus("Done.", "ok"); }
      };
      stats();
    }
  } catch (e) {
    if (id === runId && run === r) setStatus("Stream failed: " + e.message, "err");
    return;
  }
  if (id !== runId || run !== r) return;
  r.finished = true;
  stats(performance.now());
  if (bytes === 0) { run = null; $("stop").disabled = true; setStatus("The server sent no audio.", "err"); return; }
  if (format === "wav") offerDownload(wavFile(chunks, bytes), "wav");
  if (format === "pcm") offerDownload(new Blob(chunks, { type: "audio/pcm" }), "pcm");
  // Encoded formats: ask again once the stream is complete, so the two requests never compete.
  if (format !== "wav" && format !== "pcm") fetchDownload(req, format, r, id);
  if (pending === 0) { run = null; $("stop").disabled = true; setStatus("Done.", "ok"); }
}

async function fetchDownload(req, format, r, id) {
  try {
    const res = await fetch("/v1/audio/speech", { method: "POST", headers: headers(), signal: r.abort.signal,
      body: JSON.stringify(Object.assign({}, req, { response_format: format, stream: false })) });
    if (!res.ok) throw new Error(await errorMessage(res));
    const blob = await res.blob();
    if (id === runId) offerDownload(blob, format);
  } catch (e) {
    if (id === runId && e.name !== "AbortError") setStatus("Download failed: " + e.message, "err");
  }
}

// ---- wiring ----
$("form").addEventListener("submit", (e) => { e.preventDefault(); speak(); });
$("text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); speak(); }
});
$("stop").addEventListener("click", () => stop(false));
for (const id of ["voice", "voice2", "mix"]) $(id).addEventListener("input", updateVoice);
$("speed").addEventListener("input", () => { $("speedText").textContent = Number($("speed").value).toFixed(2); });
$("apikey").value = localStorage.getItem("kokoro.apiKey") || "";
$("apikey").addEventListener("change", () => {
  const key = $("apikey").value.trim();
  if (key) localStorage.setItem("kokoro.apiKey", key); else localStorage.removeItem("kokoro.apiKey");
  loadVoices();
});
loadVoices();
</script>
</body>
</html>
"""#
}
