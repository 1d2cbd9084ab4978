/// A Kokoro voice: 510 style vectors of 256 floats, one per utterance length.
///
/// Kokoro conditions on a different style row depending on how many phoneme tokens the
/// utterance has, so the whole (510, 1, 256) tensor is kept, not one vector.
public struct VoiceStyle: Sendable, Equatable, CustomStringConvertible {
    public static let rows = 510
    public static let width = 256
    public static let shape = [rows, 1, width]

    /// Row-major (510 × 256) values.
    public let values: [Float]

    public init(values: [Float]) {
        precondition(values.count == Self.rows * Self.width, "a voice holds 510 × 256 floats")
        self.values = values
    }

    /// Validates a loaded array's shape.
    public init(_ array: NPYArray, name: String) throws(VoiceError) {
        guard array.shape == Self.shape || array.shape == [Self.rows, Self.width] else {
            throw .wrongShape(name, array.shape)
        }
        self.init(values: array.values)
    }

    public var description: String { "VoiceStyle(510 × 256)" }

    /// The style row for `tokenCount` phoneme tokens (without the two padding zeros):
    /// row n − 1 clamped to [0, 509], as the reference PyTorch pipeline indexes it.
    public func style(forTokenCount tokenCount: Int) -> ArraySlice<Float> {
        row(Self.row(forTokenCount: tokenCount))
    }

    /// The row a piece of `tokenCount` tokens is spoken with.
    public static func row(forTokenCount tokenCount: Int) -> Int {
        min(max(tokenCount - 1, 0), rows - 1)
    }

    /// Row `index` (0..<510).
    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * Self.width ..< (index + 1) * Self.width]
    }

    /// The weighted sum of voices; the caller chooses the weights (see `VoiceBlend`).
    public static func weightedSum(_ terms: [(voice: VoiceStyle, weight: Float)]) -> VoiceStyle {
        var values = [Float](repeating: 0, count: rows * width)
        for (voice, weight) in terms {
            for index in values.indices { values[index] += voice.values[index] * weight }
        }
        return VoiceStyle(values: values)
    }
}
