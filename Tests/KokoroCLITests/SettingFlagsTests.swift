import ArgumentParser
import Testing
@testable import KokoroCLI
import KokoroServer

/// The flags `kokoro serve` parses reach the settings they are named after, and its help
/// lists every variable.
@Suite struct SettingFlagsTests {
    static let client = KokoroSettings.clientSettings.map(\.info)
    static let flagged = KokoroSettings.all.filter { $0.flag != nil && !client.contains($0) }

    /// A text no setting of a number or a choice takes: either the setting shows it, from its
    /// flag, or refuses it by name; both prove the flag is wired to that setting.
    @Test(arguments: flagged)
    func eachFlagSetsItsSetting(info: SettingInfo) throws {
        let flag = try #require(info.flag)
        let text = "x-\(info.key)"
        let serve = try #require(try Kokoro.parseAsRoot(["serve", flag, text]) as? Serve)
        do {
            let row = try #require(try serve.settings().effective(defaultSessions: nil, cores: 2).first { $0.info == info })
            #expect(row.value == (info.isSecret ? "<redacted>" : text))
            #expect(row.source == .flag(flag))
        } catch {
            let refusal = info == KokoroSettings.configSetting.info ? "cannot read the config file \(text):" : "\(info.key) \(text) is not valid"
            #expect(String(describing: error).hasPrefix(refusal), "\(error)")
        }
    }

    /// `kokoro say`'s own settings: from its flags, else the variables, else the config file.
    @Test func sayReadsTheServerAndItsKeyAsSettings() throws {
        let given = try #require(try Kokoro.parseAsRoot(["say", "hi", "--server", "http://a:1", "--api-key", "k"]) as? Say).settings()
        #expect(try given.value(KokoroSettings.server) == "http://a:1" && given.value(KokoroSettings.apiKey) == "k")
        let rows = try given.effective(defaultSessions: nil, cores: 2).filter { Self.client.contains($0.info) }
        #expect(rows.map(\.source) == [.flag("--server"), .flag("--api-key")] && rows[1].value == "<redacted>")
        let environment = try KokoroSettings(flags: [:], environment: ["KOKORO_SERVER": "http://b:2", "KOKORO_API_KEY": "z"])
        #expect(try environment.value(KokoroSettings.server) == "http://b:2" && environment.value(KokoroSettings.apiKey) == "z")
        #expect(try KokoroSettings(flags: [:], environment: [:]).value(KokoroSettings.server) == nil)
        #expect(throws: KokoroSettings.Invalid.self) { try KokoroSettings(flags: [:], environment: ["KOKORO_SERVER": ""]).value(KokoroSettings.server) }
    }

    @Test func theHelpListsEveryVariable() {
        let help = Serve.helpMessage()
        for info in KokoroSettings.all {
            #expect(help.contains(info.variable), "kokoro serve --help does not name \(info.variable)")
        }
    }
}
