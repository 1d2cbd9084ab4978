import Foundation
import KokoroEngine
import Testing
@testable import KokoroServer

/// A good and a bad value of every setting through each source: the flag, the variable and
/// the config file give the same value, and the same message for a bad one.
@Suite struct SettingsTests {
    /// Each setting with a value it takes and one it refuses (nil: it refuses none).
    static let table: [(setting: any AnySetting, good: String, bad: String?)] = [
        (KokoroSettings.host, "0.0.0.0", ""),
        (KokoroSettings.port, "9000", "70000"),
        (KokoroSettings.apiKeys, "k1", nil),
        (KokoroSettings.corsOrigins, "https://example.com", nil),
        (KokoroSettings.maxInput, "300", "0"),
        (KokoroSettings.maxConcurrent, "2", "0"),
        (KokoroSettings.maxQueue, "0", "-1"),
        (KokoroSettings.queueTimeout, "2.5", "0"),
        (KokoroSettings.stallTimeout, "10", "soon"),
        (KokoroSettings.wyomingPort, "10200", "65536"),
        (KokoroSettings.devRoutes, "off", "no"),
        (KokoroSettings.admission, "capacity", "always"),
        (KokoroSettings.defaultVoice, "am_adam", ""),
        (KokoroSettings.memoryLimitMB, "512", "-5"),
        (KokoroSettings.prewarm, "/tmp/phrases.txt", ""),
        (KokoroSettings.logLevel, "debug", "loud"),
        (KokoroSettings.model, "/models/kokoro.onnx", ""),
        (KokoroSettings.voices, "/voices/a.npz", nil),
        (KokoroSettings.vocab, "/models/vocab.json", ""),
        (KokoroSettings.ortLibrary, "/lib/libonnxruntime.so", ""),
        (KokoroSettings.cache, "/var/lib/kokoro", ""),
        (KokoroSettings.misakiData, "/data/misaki", ""),
        (KokoroSettings.mandarinData, "/data/zh", ""),
        (KokoroSettings.japaneseData, "/data/ja", ""),
        (KokoroSettings.espeakLibrary, "/opt/lib/libespeak-ng.so.1", ""),
        (KokoroSettings.espeakData, "/opt/share/espeak-ng-data", ""),
        (KokoroSettings.mecabLibrary, "/opt/lib/libmecab.so.2", ""),
        (KokoroSettings.threads, "1", "0"),
        (KokoroSettings.sessions, "2", "0"),
        (KokoroSettings.optimizer, "throughput", "fast"),
        (KokoroSettings.memoryBudgetMB, "128", "0"),
        (KokoroSettings.loudness, "off", "-50"),
        (KokoroSettings.pieceTokens, "200", "600"),
        (KokoroSettings.decoderWindows, "10/40/8", "10/40"),
        (KokoroSettings.calibrateVoices, "off", "maybe"),
        (KokoroSettings.maxAudioSeconds, "60", "0"),
        (KokoroSettings.lexicon, "/etc/kokoro/lexicon.json", ""),
        (KokoroSettings.server, "http://127.0.0.1:8880", ""),
        (KokoroSettings.apiKey, "k1", ""),
    ]

    enum Through: CaseIterable { case flag, environment, file }

    /// The settings with `text` given to `info` through `source` alone.
    static func settings(_ info: SettingInfo, _ text: String, through source: Through) throws -> KokoroSettings {
        switch source {
        case .flag:
            return try KokoroSettings(flags: [info.key: [text]], environment: [:])
        case .environment:
            return try KokoroSettings(flags: [:], environment: [info.variable: text])
        case .file:
            let value: Any = info.separator == nil ? text : [text]
            return try KokoroSettings(flags: [:], environment: ["KOKORO_CONFIG": try configFile([info.key: value])])
        }
    }

    /// A config file of `object`, named by its contents in one folder: runs reuse the same
    /// few files instead of leaving a new one per case behind.
    static func configFile(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
        let name = data.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kokoro-settings-tests")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(String(name, radix: 16) + ".json")
        try data.write(to: url, options: .atomic)
        return url.path
    }

    @Test func theTableHasEverySetting() {
        #expect(Self.table.map(\.setting.info.key) == KokoroSettings.catalogue.map(\.info.key))
    }

    @Test(arguments: table.indices, Through.allCases)
    func aGoodValueIsTakenFromEachSource(index: Int, through: Through) throws {
        let (setting, good, _) = Self.table[index]
        let rows = try Self.settings(setting.info, good, through: through).effective(defaultSessions: nil, cores: 2)
        let row = try #require(rows.first { $0.info == setting.info })
        #expect(row.value == (setting.info.isSecret ? "<redacted>" : good))
        switch (through, row.source) {
        case (.flag, .flag(setting.info.flag ?? setting.info.key)), (.environment, .environment(setting.info.variable)), (.file, .file): break
        default: Issue.record("\(setting.info.key) from \(through) reported as from \(row.source)")
        }
    }

    @Test(arguments: table.indices)
    func aBadValueGetsOneMessageWhateverItsSource(index: Int) throws {
        let (setting, _, bad) = Self.table[index]
        guard let bad else { return }
        let messages = try Through.allCases.map { through in
            do {
                _ = try Self.settings(setting.info, bad, through: through).effective(defaultSessions: nil, cores: 2)
                return "accepted through \(through)"
            } catch let error as KokoroSettings.Invalid {
                return error.description
            }
        }
        #expect(Set(messages).count == 1, "\(messages)")
        let message = messages[0]
        for part in [setting.info.key, bad.isEmpty ? "(empty)" : bad, setting.info.accepts, setting.info.variable, setting.info.flag ?? "--config"] {
            #expect(message.contains(part), "\(message) does not name \(part)")
        }
    }

    @Test func aNumberInTheFileIsJudgedLikeItsText() throws {
        let file = try Self.configFile(["port": 70_000])
        #expect(throws: KokoroSettings.invalid(KokoroSettings.port.info, ["70000"])) {
            try KokoroSettings(flags: [:], environment: ["KOKORO_CONFIG": file]).serverConfiguration()
        }
        let good = try Self.configFile(["port": 9_000, "queue-timeout": 2.5, "api-keys": ["a", "b"]])
        let configuration = try KokoroSettings(flags: ["config": [good]], environment: [:]).serverConfiguration()
        #expect(configuration.port == 9_000)
        #expect(configuration.queueTimeoutSeconds == 2.5)
        #expect(configuration.apiKeys == ["a", "b"])
    }

    @Test func flagsWinOverVariablesWhichWinOverTheFile() throws {
        let file = try Self.configFile(["port": 1, "host": "file", "max-input": 3])
        let settings = try KokoroSettings(flags: ["port": ["2"]], environment: ["KOKORO_PORT": "4", "KOKORO_HOST": "environment", "KOKORO_CONFIG": file])
        let configuration = try settings.serverConfiguration()
        #expect((configuration.port, configuration.host, configuration.maxInputCharacters, configuration.maxQueuedRequests)
            == (2, "environment", 3, ServerConfiguration().maxQueuedRequests))
        let sources = Dictionary(uniqueKeysWithValues: try settings.effective(defaultSessions: nil, cores: 2).map { ($0.info.key, $0.source) })
        #expect(sources["port"] == .flag("--port"))
        #expect(sources["host"] == .environment("KOKORO_HOST"))
        #expect(sources["max-input"] == .file(file))
        #expect(sources["max-queue"] == .standard)
        #expect(sources["config"] == .environment("KOKORO_CONFIG"))
    }

    @Test func listsComeFromRepeatedFlagsOrSeparatedVariables() throws {
        let fromFlags = try KokoroSettings(flags: ["api-keys": ["a", "b"]], environment: ["KOKORO_API_KEYS": "c"]).serverConfiguration()
        #expect(fromFlags.apiKeys == ["a", "b"])
        let fromVariables = try KokoroSettings(flags: [:], environment: ["KOKORO_API_KEYS": "a, b,", "KOKORO_VOICES": "/x.npz:/y.npz"])
        #expect(try fromVariables.serverConfiguration().apiKeys == ["a", "b"])
        #expect(try fromVariables.assets().voicePacks.map(\.path) == ["/x.npz", "/y.npz"])
    }

    @Test func theEngineIsSizedByTheCores() throws {
        let defaults = try KokoroSettings(flags: [:], environment: [:])
        let serve = try defaults.engineConfiguration(defaultSessions: nil, cores: 4)
        #expect((serve.sessions, serve.session.intraOpThreads, serve.latencySession?.intraOpThreads) == (4, 1, 4))
        let single = try defaults.engineConfiguration(defaultSessions: 1, cores: 4)
        #expect((single.sessions, single.session.intraOpThreads, single.latencySession == nil) == (1, 4, true))
        #expect((single.loudnessTarget, single.pieceTokens, single.windows?.frames, single.maxAudioSeconds, single.calibratesVoices)
            == (-16, PhonemeChunker.defaultTargetTokens, DecoderWindows.standard.frames, 1_800, true))
        let off = try KokoroSettings(flags: ["loudness": ["off"], "decoder-windows": ["off"], "optimizer": ["throughput"], "sessions": ["2"]],
                                     environment: [:]).engineConfiguration(defaultSessions: nil, cores: 4)
        #expect((off.loudnessTarget, off.windows == nil, off.latencySession == nil, off.session.intraOpThreads) == (Double?.none, true, true, 2))
    }

    @Test func printConfigRedactsTheKeys() throws {
        let printed = try KokoroSettings(flags: ["api-keys": ["secret-one"]], environment: ["KOKORO_API_KEYS": "secret-two"]).printed(defaultSessions: nil, cores: 2)
        #expect(!printed.contains("secret"))
        #expect(printed.contains("<redacted>"))
        #expect(printed.split(separator: "\n").count == KokoroSettings.all.count)
    }

    @Test func printConfigShowsDefaultsAsWorkedOut() throws {
        let settings = try KokoroSettings(flags: [:], environment: ["KOKORO_CACHE": "/var/lib/kokoro"])
        let values = Dictionary(uniqueKeysWithValues: try settings.effective(defaultSessions: nil, cores: 4).map { ($0.info.key, $0.value) })
        #expect((values["sessions"], values["threads"], values["port"]) == ("4", "1", "8880"))
        #expect(values["model"] == "/var/lib/kokoro/\(AssetLocations.modelFileName)")
        #expect(values["ort-library"] == KokoroSettings.ortLibrary.info.defaultText)
    }

    @Test func theFileMayHoldOnlyKnownSettings() throws {
        let unknown = try Self.configFile(["prot": 8880])
        #expect(throws: KokoroSettings.Invalid.self) { try KokoroSettings(flags: [:], environment: ["KOKORO_CONFIG": unknown]) }
        let list = try Self.configFile(["port": [1, 2]])
        #expect(throws: KokoroSettings.Invalid.self) { try KokoroSettings(flags: [:], environment: ["KOKORO_CONFIG": list]) }
        #expect(throws: KokoroSettings.Invalid.self) { try KokoroSettings(flags: ["config": ["/nonexistent/kokoro.json"]], environment: [:]) }
    }

    /// The README's table of settings, row for row as the definitions give it.
    @Test func theReadmeListsEverySettingAsDefined() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let lines = try String(contentsOf: readme, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.firstIndex(of: "| setting (config file key) | flag | variable | default | accepts |"),
                                  "README.md has no settings table")
        let rows = lines[(header + 2)...].prefix { $0.hasPrefix("|") }
        for info in KokoroSettings.all {
            let expected = "| `\(info.key)` | \(info.flag.map { "`\($0)`" } ?? "—") | `\(info.variable)` | \(info.defaultText) | \(info.accepts) |"
            #expect(rows.contains(expected), "README.md has no row \(expected)")
        }
        #expect(rows.count == KokoroSettings.all.count, "README.md's settings table has rows for settings that do not exist")
    }
}
