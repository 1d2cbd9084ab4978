/// Kokoro as its front and decoder (one session each): a whole sentence's front once, then
/// its decoder on windows of frames. A whole run is the front and the decoder on every frame,
/// the whole model's audio bit for bit.
public final class SplitKokoroModel: SpeechSynthesizer {
    public let front: KokoroFront
    public let decoder: KokoroDecoder

    public init(front: KokoroFront, decoder: KokoroDecoder) {
        self.front = front
        self.decoder = decoder
    }

    public func synthesize(tokens: [Int64], style: ArraySlice<Float>, speed: Float) async throws -> [Float] {
        let frames = try await front.frames(tokens: tokens, style: style, speed: speed)
        return try await decoder.decode(frames, frames: 0..<frames.frames, phase: HarmonicPhase(f0: frames.f0).start(atFrame: 0), style: style)
    }

    public func perform(_ work: ModelWork) async throws -> ModelOutput {
        switch work {
        case .whole(let tokens, let style, let speed):
            .audio(try await synthesize(tokens: tokens, style: style, speed: speed))
        case .front(let tokens, let style, let speed):
            .frames(try await front.frames(tokens: tokens, style: style, speed: speed))
        case .decode(let sentence, let frames, let phase, let style, let statistics):
            .audio(try await decoder.decode(sentence, frames: frames, phase: phase, style: style, statistics: statistics))
        case .probe(let sentence, let style):
            .statistics(try await decoder.probe(sentence, style: style))
        }
    }
}
