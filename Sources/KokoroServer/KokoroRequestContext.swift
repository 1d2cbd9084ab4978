import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context: Hummingbird's core storage plus the connection, so a stream can
/// stop synthesizing the moment its client hangs up; and the WebSocket upgrade's handler.
public struct KokoroRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    public let webSocket = WebSocketHandlerReference<Self>()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
