/// misaki's stress arithmetic on phoneme strings.
///
/// Stress levels are misaki's: below -1 strips all stress, -1 (and 0 or -0.5 on a stressed word)
/// demotes primary to secondary, 0…1 gives an unstressed word a secondary stress, above 1 a
/// primary one. Capitalised words and inline `(+1)` marks arrive here as these numbers.
enum Stress {
    static let primary: Character = "ˈ"
    static let secondary: Character = "ˌ"
    static let vowels: Set<Character> = Set("AIOQWYaiuæɑɒɔəɛɜɪʊʌᵻ")
    static let consonants: Set<Character> = Set("bdfhjklmnpstvwzðŋɡɹɾʃʒʤʧθ")
    private static let diphthongs: Set<Character> = Set("AIOQWYʤʧ")

    static func apply(_ ps: String, _ stress: Double?) -> String {
        guard let stress else { return ps }
        let hasPrimary = ps.contains(primary)
        let hasSecondary = ps.contains(secondary)
        if stress < -1 {
            return ps.filter { $0 != primary && $0 != secondary }
        } else if stress == -1 || ((stress == 0 || stress == -0.5) && hasPrimary) {
            return String(ps.compactMap { $0 == secondary ? nil : ($0 == primary ? secondary : $0) })
        } else if (stress == 0 || stress == 0.5 || stress == 1) && !hasPrimary && !hasSecondary {
            return ps.contains(where: vowels.contains) ? placedBeforeVowels(String(secondary) + ps) : ps
        } else if stress >= 1 && !hasPrimary && hasSecondary {
            return String(ps.map { $0 == secondary ? primary : $0 })
        } else if stress > 1 && !hasPrimary && !hasSecondary {
            return ps.contains(where: vowels.contains) ? placedBeforeVowels(String(primary) + ps) : ps
        }
        return ps
    }

    /// Moves every stress mark to just before the vowel it governs.
    private static func placedBeforeVowels(_ ps: String) -> String {
        var result = ""
        var pending = ""
        for c in ps {
            if c == primary || c == secondary {
                pending.append(c)
            } else {
                if vowels.contains(c) {
                    result += pending
                    pending = ""
                }
                result.append(c)
            }
        }
        return result + pending
    }

    /// Diphthongs and affricates count double when deciding which parts of a compound keep stress.
    static func weight(_ ps: String) -> Int {
        ps.reduce(0) { $0 + (diphthongs.contains($1) ? 2 : 1) }
    }

    /// A primary stress for the word's last secondary, as misaki stresses spelled-out acronyms.
    static func promotingLastSecondary(_ ps: String) -> String {
        guard let index = ps.lastIndex(of: secondary) else { return ps }
        var result = ps
        result.replaceSubrange(index...index, with: String(primary))
        return result
    }
}
