/// Why the engine refused or failed a request; every message names the fix.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case emptyText
    case speedOutOfRange(Float)
    case missingModel(String)
    case corruptModel(String, String)
    case unknownLanguage(String)
    case noPhonemes(String)
    case tooManyTokens(Int)
    /// One more real-time stream now would make it or a running stream late.
    case noRealTimeRoom(retryAfter: Double, verdict: AdmissionForecast.Verdict)

    public static let speedRange: ClosedRange<Float> = 0.5...2.0

    public var description: String {
        switch self {
        case .emptyText:
            "the text is empty: give some words to speak"
        case .speedOutOfRange(let speed):
            "speed \(speed) is out of range: use a value from \(Self.speedRange.lowerBound) to \(Self.speedRange.upperBound)"
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
        case .noRealTimeRoom(let seconds, let verdict):
            "the server cannot start another real-time stream now: "
                + (verdict.newcomerLate > 0
                   ? String(format: "its audio would come %.2f s late", verdict.newcomerLate)
                   : String(format: "a stream in progress would run dry for %.2f s", verdict.othersLater))
                + "; retry in \(Int(seconds.rounded(.up))) s"
        }
    }
}
