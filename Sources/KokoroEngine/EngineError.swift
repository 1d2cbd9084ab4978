import Foundation
import KokoroPhonemizer

/// Why the engine refused or failed a request; every message names the fix.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case emptyText
    case speedOutOfRange(Double)
    case missingModel(String)
    case corruptModel(String, String)
    case unknownLanguage(String)
    case noPhonemes(String)
    case tooManyTokens(Int)
    /// The request would make more audio than one request may (`SynthesisPlanner.maxAudioSeconds`).
    case tooLong(estimatedSeconds: Double, limit: Double)
    /// One more real-time stream now would make it or a running stream late.
    case noRealTimeRoom(retryAfter: Double, verdict: AdmissionForecast.Verdict)

    /// The speeds Kokoro speaks well at; `RequestedSpeed` brings a client's value into it.
    public static let speedRange: ClosedRange<Float> = 0.5...2.0

    public var description: String {
        switch self {
        case .emptyText:
            "the text is empty: give some words to speak"
        case .speedOutOfRange(let speed):
            "speed \(String(format: "%g", speed)) is out of range: Kokoro speaks \(Self.speedRange.lowerBound) to \(Self.speedRange.upperBound); a request may ask "
                + "\(RequestedSpeed.accepted.lowerBound) to \(RequestedSpeed.accepted.upperBound), served at the nearest speed Kokoro has"
        case .missingModel(let path):
            "no Kokoro model at \(path): run scripts/setup.sh to fetch it, or pass --model PATH (or set KOKORO_MODEL)"
        case .corruptModel(let path, let why):
            "the model at \(path) could not be loaded (\(why)): delete it and run scripts/setup.sh to fetch it again"
        case .unknownLanguage(let code):
            "unknown language \(code): use one of en-us, en-gb, es, fr, hi, it, ja, pt-br, zh"
        case .noPhonemes(let text):
            "nothing speakable in \(text.prefix(60).debugDescription): the text has no words the phonemizer could read"
        case .tooManyTokens(let count):
            "\(count) phoneme tokens in one segment: Kokoro takes at most \(PhonemeChunker.maxTokens)"
        case .tooLong(let estimated, let limit):
            "the request would make about \(Self.minutes(estimated)) of audio (speech and pauses); one request may make at most "
                + "\(Self.minutes(limit)): split the text into several requests, or raise the limit with --max-audio-seconds (KOKORO_MAX_AUDIO_SECONDS)"
        case .noRealTimeRoom(let seconds, let verdict):
            "the server cannot start another real-time stream now: "
                + (verdict.newcomerLate > 0
                   ? String(format: "its audio would come %.2f s late", verdict.newcomerLate)
                   : String(format: "a stream in progress would run dry for %.2f s", verdict.othersLater))
                + "; retry in \(Int(seconds.rounded(.up))) s"
        }
    }

    private static func minutes(_ seconds: Double) -> String {
        seconds < 120 ? "\(Int(seconds.rounded())) s" : String(format: "%.1f min", seconds / 60)
    }
}
