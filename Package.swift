// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "kokoro-swift",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kokoro", targets: ["KokoroCLI"]),
        .library(name: "KokoroEngine", targets: ["KokoroEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
    ],
    targets: [
        // The ONNX Runtime C API, loaded at run time; knows nothing of speech.
        // dlopen/dlsym for the C libraries we load at run time instead of linking.
        .target(name: "DynamicLibrary"),
        .target(name: "ONNXRuntime", dependencies: ["DynamicLibrary"]),
        // .npy/.npz readers and Kokoro voice packs, blends and style rows.
        .target(name: "KokoroVoices", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Caches bounded in bytes, least recently used out first.
        .target(name: "BoundedCache"),
        // The phonemizer seam, the phoneme vocabulary and espeak-ng (loaded at run time, GPL-3).
        .target(name: "KokoroPhonemizer", dependencies: ["DynamicLibrary"]),
        // misaki-grade English grapheme-to-phoneme conversion and text normalization.
        .target(name: "EnglishG2P", dependencies: ["KokoroPhonemizer", "BoundedCache"]),
        // misaki-grade Mandarin grapheme-to-phoneme conversion (jieba, pypinyin, cn2an, misaki's IPA).
        .target(name: "MandarinG2P", dependencies: ["KokoroPhonemizer"]),
        // misaki-grade Japanese grapheme-to-phoneme conversion (MeCab on unidic-lite, loaded at run time; cutlet's readings in misaki's IPA).
        .target(name: "JapaneseG2P", dependencies: ["KokoroPhonemizer", "DynamicLibrary"]),
        // FFmpeg's codecs, from the system's -dev packages.
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libswresample libavutil",
                       providers: [.apt(["libavcodec-dev", "libavformat-dev", "libswresample-dev", "libavutil-dev"])]),
        // Streaming audio encoders: WAV, PCM, MP3, Opus, AAC, FLAC.
        .target(name: "AudioEncoding", dependencies: ["CFFmpeg"]),
        // EBU R128 loudness, for per-voice gain; apart from the encoders so the engine need not link FFmpeg.
        .systemLibrary(name: "CEBUR128", pkgConfig: "libebur128", providers: [.apt(["libebur128-dev"])]),
        .target(name: "AudioLoudness", dependencies: ["CEBUR128"]),
        // Text to audio: segmenting, phonemizing, chunking, running the model, joining.
        .target(name: "KokoroEngine", dependencies: [
            "ONNXRuntime", "KokoroVoices", "KokoroPhonemizer", "EnglishG2P", "MandarinG2P", "JapaneseG2P", "AudioLoudness", "BoundedCache",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The OpenAI-compatible HTTP server: translates HTTP to engine calls, nothing more; and
        // the settings of the server and the engine, read once (`KokoroSettings`).
        .target(name: "KokoroServer", dependencies: [
            "KokoroEngine", "AudioEncoding", "BoundedCache",
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ],
        resources: [.embedInCode("Resources/index.html")]),
        // The client side of the speech API: HTTP streaming, file and stdout sinks, players.
        .target(name: "KokoroClient", dependencies: ["AudioEncoding"]),
        .executableTarget(name: "KokoroCLI", dependencies: [
            "KokoroClient", "KokoroEngine", "MandarinG2P", "JapaneseG2P", "AudioEncoding", "KokoroServer", "ONNXRuntime",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Where the tests find set-up's assets and the shared evaluation set (not a product).
        .target(name: "TestAssets", dependencies: ["KokoroPhonemizer"], path: "Tests/TestAssets"),
        .testTarget(name: "ONNXRuntimeTests", dependencies: ["ONNXRuntime", "TestAssets"]),
        .testTarget(name: "BoundedCacheTests", dependencies: ["BoundedCache"]),
        .testTarget(name: "KokoroVoicesTests", dependencies: ["KokoroVoices", "TestAssets"]),
        .testTarget(name: "KokoroPhonemizerTests", dependencies: ["KokoroPhonemizer", "TestAssets"]),
        .testTarget(name: "EnglishG2PTests", dependencies: ["EnglishG2P", "TestAssets"]),
        .testTarget(name: "MandarinG2PTests", dependencies: ["MandarinG2P", "TestAssets"]),
        .testTarget(name: "JapaneseG2PTests", dependencies: ["JapaneseG2P", "TestAssets"]),
        .testTarget(name: "AudioEncodingTests", dependencies: ["AudioEncoding"]),
        .testTarget(name: "KokoroClientTests", dependencies: [
            "KokoroClient", "AudioEncoding",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "AudioLoudnessTests", dependencies: ["AudioLoudness"]),
        .testTarget(name: "KokoroEngineTests", dependencies: ["KokoroEngine", "AudioLoudness"]),
        .testTarget(name: "KokoroCLITests", dependencies: [
            "KokoroCLI", "KokoroServer", "KokoroEngine", "KokoroPhonemizer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "KokoroServerTests", dependencies: [
            "KokoroServer", "KokoroEngine", "KokoroPhonemizer", "KokoroVoices", "BoundedCache", "AudioEncoding",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
    ]
)
