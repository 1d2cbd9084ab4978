import Foundation
import TestAssets
import Testing
@testable import KokoroVoices

let cache = TestAssets.cache
let officialVoices = cache.appendingPathComponent("voices-v1.0.npz")
let japaneseVoices = cache.appendingPathComponent("voices_ja.npz")

func temporaryFile(_ name: String, _ data: Data) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-tests-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try data.write(to: url)
    return url
}

@Suite("Voice packs")
struct VoiceLibraryTests {
    @Test func readsTheOfficialPack() throws {
        let library = try VoiceLibrary(paths: [officialVoices])
        #expect(library.names.count == 54)
        #expect(library.contains("af_heart") && library.contains("zm_yunyang"))
        let heart = try library.voice(named: "af_heart")
        #expect(heart.values.count == 510 * 256)
        #expect(heart.values.allSatisfy { $0.isFinite })
        #expect(heart.values.contains { $0 != 0 })
    }

    @Test func japanesePackMatchesTheOfficialOne() throws {
        let official = try VoiceLibrary(paths: [officialVoices])
        let japanese = try VoiceLibrary(paths: [japaneseVoices])
        #expect(japanese.names == ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"])
        #expect(try japanese.voice(named: "jm_kumo") == official.voice(named: "jm_kumo"))
    }

    @Test func npyRoundTripAndSingleFiles() throws {
        let values = (0..<(510 * 256)).map { Float($0 % 97) / 97 }
        let url = try temporaryFile("my_voice.npy", NPYArray(shape: [510, 1, 256], values: values).npyData())
        let library = try VoiceLibrary(paths: [url])
        #expect(library.names == ["my_voice"])
        #expect(try library.voice(named: "my_voice").values == values)
    }

    @Test func rejectsTruncatedWrongShapeAndWrongType() throws {
        let good = NPYArray(shape: [510, 1, 256], values: [Float](repeating: 1, count: 510 * 256)).npyData()
        #expect(throws: VoiceError.self) { try NPYArray(npy: good.prefix(good.count - 4)) }
        #expect(throws: VoiceError.self) { try NPYArray(npy: Data("hello".utf8)) }
        let wrongShape = NPYArray(shape: [10, 256], values: [Float](repeating: 1, count: 2560))
        #expect(throws: VoiceError.wrongShape("v", [10, 256])) { try VoiceStyle(NPYArray(npy: wrongShape.npyData()), name: "v") }
        var float64 = good
        let range = float64.range(of: Data("<f4".utf8))!
        float64.replaceSubrange(range, with: Data("<f8".utf8))
        #expect(throws: VoiceError.wrongType("v", "<f8")) { try NPYArray(npy: float64, name: "v") }
        let truncatedZip = try temporaryFile("broken.npz", try Data(contentsOf: japaneseVoices).prefix(1000))
        #expect(throws: VoiceError.self) { try VoiceLibrary(paths: [truncatedZip]) }
    }

    @Test func styleRowIsTokenCountMinusOneClamped() throws {
        let values = (0..<(510 * 256)).map { Float($0 / 256) }
        let voice = VoiceStyle(values: values)
        #expect(voice.style(forTokenCount: 1).first == 0)
        #expect(voice.style(forTokenCount: 0).first == 0)
        #expect(voice.style(forTokenCount: 100).first == 99)
        #expect(voice.style(forTokenCount: 510).first == 509)
        #expect(voice.style(forTokenCount: 9000).first == 509)
        #expect(voice.style(forTokenCount: 42).count == 256)
    }

    @Test func unknownVoiceSuggestsCloseNames() throws {
        let library = try VoiceLibrary(paths: [officialVoices])
        #expect(throws: VoiceError.unknownVoice("af_hart", suggestions: ["af_heart"], available: 54)) {
            try library.voice(named: "af_hart")
        }
    }

    @Test(arguments: ["../secret", "a/b", "af heart", "", "voice.npy", "%2e%2e"])
    func rejectsNamesThatAreNotIdentifiers(name: String) throws {
        #expect(throws: VoiceError.self) { try VoiceBlend.validate(name: name) }
    }
}

@Suite("Voice blends")
struct VoiceBlendTests {
    @Test func parsesWeightsAndNormalizes() throws {
        #expect(try VoiceBlend(parsing: "af_bella+af_sky").normalizedWeights == [0.5, 0.5])
        #expect(try VoiceBlend(parsing: "af_bella(2)+af_sky(1)").normalizedWeights == [2.0 / 3, 1.0 / 3])
        #expect(try VoiceBlend(parsing: "af_bella(2) + af_sky(1) - am_adam(0.5)").normalizedWeights == [2.0 / 3, 1.0 / 3, -0.5 / 3])
        #expect(try VoiceBlend(parsing: "af_heart").isSingleVoice)
    }

    @Test(arguments: ["", "+af_sky", "af_bella+", "af_bella(", "af_bella(0)", "af_bella(x)", "af_bella(2)af_sky", "-af_sky", "af_bella++af_sky"])
    func rejectsMalformedBlends(spec: String) {
        #expect(throws: VoiceError.self) { try VoiceBlend(parsing: spec) }
    }

    /// A blend mixes at most eight voices; a 60,000-term one (which once took 4.7 s before
    /// admission) is refused at once, and the message does not echo it back.
    @Test func blendsOfTooManyVoicesAreRefused() throws {
        let eight = Array(repeating: "af_heart", count: 8).joined(separator: "+")
        #expect(try VoiceBlend(parsing: eight).terms.count == 8)
        #expect(throws: VoiceError.tooManyTerms(eight + "+af_sky", limit: 8)) { try VoiceBlend(parsing: eight + "+af_sky") }
        let huge = Array(repeating: "af_heart", count: 60_000).joined(separator: "+")
        do {
            _ = try VoiceBlend(parsing: huge)
            Issue.record("a 60,000-term blend was accepted")
        } catch {
            #expect(error.description.count < 300)
            #expect(error.description.contains("at most 8 voices"))
        }
    }

    /// Every spelling of one mix has one canonical name: tables keyed by voice keep one entry.
    @Test func respellingsOfAMixShareOneCanonicalName() throws {
        let canonical = try VoiceBlend(parsing: "af_bella+af_sky").canonical
        #expect(canonical == "af_bella(0.5000)+af_sky(0.5000)")
        for spelling in ["af_sky+af_bella", "af_bella(2)+af_sky(2)", "af_bella+af_bella+af_sky+af_sky", " af_sky(1) + af_bella(1) "] {
            #expect(try VoiceBlend(parsing: spelling).canonical == canonical, "\(spelling)")
        }
        #expect(try VoiceBlend(parsing: "af_bella(2)+af_sky(1)").canonical != canonical)
        #expect(try VoiceBlend(parsing: "af_heart").canonical == "af_heart")
    }

    @Test func blendEqualsTheWeightedMean() throws {
        let library = try VoiceLibrary(paths: [officialVoices])
        let bella = try library.voice(named: "af_bella")
        let sky = try library.voice(named: "af_sky")
        let blend = try library.resolve("af_bella(2)+af_sky(1)")
        for index in stride(from: 0, to: bella.values.count, by: 997) {
            #expect(abs(blend.values[index] - (2 * bella.values[index] + sky.values[index]) / 3) < 1e-6)
        }
        let even = try library.resolve("af_bella+af_sky")
        #expect(abs(even.values[12345] - (bella.values[12345] + sky.values[12345]) / 2) < 1e-6)
    }
}
