import Foundation

/// What one setting is called in each source, its default and what it accepts. Written once
/// here, it names the setting in flags, variables, the config file, `kokoro serve --help`'s
/// list of variables, `--print-config`, every message about a bad value and the README's
/// table (which a test checks against it).
public struct SettingInfo: Sendable, Hashable {
    /// The config file's key; the variable is `KOKORO_` and the key in capitals.
    public let key: String
    /// The command-line flag, e.g. `--port` (nil: set by the variable or the file only).
    public let flag: String?
    /// The default, as the README states it.
    public let defaultText: String
    /// What it accepts, e.g. "a whole number from 0 to 65535".
    public let accepts: String
    /// An API key: `--print-config` shows it redacted.
    public let isSecret: Bool
    /// For a list: what separates its items in the variable (the flag is repeated and the
    /// file gives an array). nil: one value.
    public let separator: Character?

    public var variable: String { "KOKORO_" + key.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// Texts as messages and `--print-config` show them: a list joined as the variable
    /// writes it, an API key redacted.
    func shown(_ texts: [String]) -> String {
        isSecret && !texts.joined().isEmpty ? "<redacted>" : texts.joined(separator: String(separator ?? " "))
    }

    /// Every source that sets it, in the order they win, for messages.
    public var sources: String {
        (flag.map { "\($0), " } ?? "") + "\(variable) or \"\(key)\" in the --config file"
    }
}

/// A setting and how its text becomes a value of the type the server or engine uses.
public struct Setting<Value: Sendable>: Sendable {
    public let info: SettingInfo
    /// Used when no source sets it (nil: the caller works the default out, e.g. from the cores).
    let defaultValue: Value?
    /// The value of the texts a source gave (one text unless a list); nil: not acceptable.
    let parse: @Sendable ([String]) -> Value?

    init(_ key: String, flag: String?, default defaultValue: Value?, defaultText: String, accepts: String,
         isSecret: Bool = false, separator: Character? = nil, parse: @escaping @Sendable ([String]) -> Value?) {
        info = SettingInfo(key: key, flag: flag, defaultText: defaultText, accepts: accepts, isSecret: isSecret, separator: separator)
        self.defaultValue = defaultValue
        self.parse = parse
    }

    /// One value from one text.
    static func single(_ key: String, flag: String?, default defaultValue: Value?, defaultText: String, accepts: String,
                       parse: @escaping @Sendable (String) -> Value?) -> Setting {
        Setting(key, flag: flag, default: defaultValue, defaultText: defaultText, accepts: accepts) { texts in
            texts.count == 1 ? parse(texts[0]) : nil
        }
    }
}

/// A setting whatever its type: what the catalogue, the file check and `--print-config` need.
public protocol AnySetting: Sendable {
    var info: SettingInfo { get }
    /// Whether these texts make a value.
    func accepts(_ texts: [String]) -> Bool
}

extension Setting: AnySetting {
    public func accepts(_ texts: [String]) -> Bool { parse(texts) != nil }
}

extension Setting where Value == String {
    /// Any text but the empty one (a path, an address, a voice's name).
    static func text(_ key: String, flag: String?, default defaultValue: String? = nil, defaultText: String, accepts: String = "a non-empty text") -> Setting {
        single(key, flag: flag, default: defaultValue, defaultText: defaultText, accepts: accepts) { $0.isEmpty ? nil : $0 }
    }
}

extension Setting where Value == [String] {
    /// Items from a repeated flag, a separated variable or the file's array; empty items are dropped.
    static func list(_ key: String, flag: String, separator: Character, defaultText: String = "none", isSecret: Bool = false,
                     what: String) -> Setting {
        Setting(key, flag: flag, default: [], defaultText: defaultText, accepts: what, isSecret: isSecret, separator: separator) { texts in
            texts.flatMap { $0.split(separator: separator) }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}

extension Setting where Value == Int {
    static func integer(_ key: String, flag: String?, default defaultValue: Int?, defaultText: String? = nil, range: ClosedRange<Int>) -> Setting {
        single(key, flag: flag, default: defaultValue, defaultText: defaultText ?? defaultValue.map(String.init) ?? "none",
               accepts: "a whole number from \(range.lowerBound) to \(range.upperBound)") { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }
}

extension Setting where Value == Double {
    /// A finite amount above 0.
    static func positive(_ key: String, flag: String?, default defaultValue: Double?, defaultText: String? = nil, unit: String) -> Setting {
        single(key, flag: flag, default: defaultValue, defaultText: defaultText ?? defaultValue.map(Self.plain) ?? "none",
               accepts: "a number of \(unit) above 0") { text in
            Double(text).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        }
    }

    /// `5` rather than `5.0`.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension Setting {
    /// One of a few words, `defaultWord` among them.
    static func choice(_ key: String, flag: String?, default defaultWord: String, _ choices: KeyValuePairs<String, Value>) -> Setting {
        let pairs = choices.map { ($0.key, $0.value) }
        let words = pairs.map(\.0)
        let accepts = words.dropLast().joined(separator: ", ") + " or " + (words.last ?? "")
        let value: @Sendable (String) -> Value? = { word in pairs.first { $0.0 == word }?.1 }
        return single(key, flag: flag, default: value(defaultWord), defaultText: defaultWord, accepts: accepts, parse: value)
    }
}
