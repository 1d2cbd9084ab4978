import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection, so a stream can
/// stop synthesizing the moment its client hangs up.
public struct KokoroRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
