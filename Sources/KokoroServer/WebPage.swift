/// The single page served at `GET /`: a small text-to-speech playground that streams
/// `response_format: "pcm"` from `/v1/audio/speech` and plays it with Web Audio while it
/// arrives. Self-contained (inline CSS and JS, no external assets). Edited as
/// `Resources/index.html` and compiled into the binary (SwiftPM's `embedInCode`), so the
/// `kokoro` binary alone serves it: the container image and the systemd unit copy no
/// resource bundle.
enum WebPage {
    static let html = PackageResources.index_html
}
