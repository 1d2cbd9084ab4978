import AudioEncoding
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What went wrong talking to the server, as the one line `kokoro say` prints.
public enum SpeechClientError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case noServer(String)
    case server(status: Int, message: String)
    case transport(String, detail: String)
    case interrupted(detail: String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            "invalid server URL \(url): use e.g. http://127.0.0.1:8880"
        case .noServer(let url):
            "no kokoro server at \(url): start one with `kokoro serve` (or scripts/serve.sh)"
        case .server(let status, let message):
            status == 401
                ? "\(message) (HTTP \(status); give the key with --api-key or KOKORO_API_KEY)"
                : "\(message) (HTTP \(status))"
        case .transport(let url, let detail):
            "cannot reach \(url): \(detail); check the address, and that the server answers (curl \(url)/health)"
        case .interrupted(let detail):
            "the server's stream broke off: \(detail); run it again (the server's log says why if it was the server)"
        }
    }
}

/// The client side of `/v1/audio/speech` (`kokoro say --server URL`).
public enum SpeechClient {
    /// `http://host:port`, `host:port`, `.../v1` or the full endpoint → the speech endpoint.
    public static func endpoint(for server: String) throws -> URL {
        var base = server.trimmingCharacters(in: .whitespaces)
        if !base.contains("://") { base = "http://" + base }
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") {
            base += "/audio/speech"
        } else if !base.hasSuffix("/v1/audio/speech") {
            base += "/v1/audio/speech"
        }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw SpeechClientError.invalidURL(server)
        }
        return url
    }

    public static func makeRequest(server: String, body: SpeechRequestBody, apiKey: String?) throws -> URLRequest {
        var request = URLRequest(url: try endpoint(for: server))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(body.responseFormat.contentType, forHTTPHeaderField: "Accept")
        if let apiKey, !apiKey.isEmpty { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONEncoder().encode(body)
        // Generous: a busy server may queue the request before the first byte.
        request.timeoutInterval = 300
        return request
    }

    /// The server's `error.message`, else the body's text, else the status's reason.
    public static func errorMessage(status: Int, body: Data) -> String {
        struct Envelope: Decodable {
            struct Detail: Decodable { let message: String }
            let error: Detail
        }
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: body) { return envelope.error.message }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty, text.count <= 300 { return text.replacingOccurrences(of: "\n", with: " ") }
        return HTTPURLResponse.localizedString(forStatusCode: status)
    }

    /// Posts the request and hands every received byte to `sink` (on one serial queue) as
    /// it arrives; returns the response's headers once the stream has ended.
    public static func stream(_ request: URLRequest, server: String, into sink: any AudioByteSink) async throws -> [String: String] {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "kokoro.client.stream"
        let delegate = StreamDelegate(sink: sink, server: server)
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.start(session: session, request: request, continuation: continuation)
            }
        } onCancel: {
            delegate.cancel()
        }
    }
}

/// URLSession's callbacks for one streamed response. Every callback runs on the session's
/// serial delegate queue, which is what makes the mutable state safe.
private final class StreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let sink: any AudioByteSink
    private let server: String
    private var continuation: CheckedContinuation<[String: String], any Error>?
    private var task: URLSessionDataTask?
    private var errorBody = Data()
    private var sinkError: (any Error)?

    init(sink: any AudioByteSink, server: String) {
        self.sink = sink
        self.server = server
    }

    func start(session: URLSession, request: URLRequest, continuation: CheckedContinuation<[String: String], any Error>) {
        session.delegateQueue.addOperation {
            self.continuation = continuation
            let task = session.dataTask(with: request)
            self.task = task
            task.resume()
        }
    }

    func cancel() {
        task?.cancel()
    }

    private func status(of task: URLSessionTask) -> Int {
        (task.response as? HTTPURLResponse)?.statusCode ?? 0
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard sinkError == nil else { return }
        guard (200..<300).contains(status(of: dataTask)) else {
            if errorBody.count < 65_536 { errorBody.append(data) }
            return
        }
        do {
            try sink.write(data)
        } catch {
            sinkError = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: Result { try outcome(task: task, error: error) })
    }

    private func outcome(task: URLSessionTask, error: (any Error)?) throws -> [String: String] {
        if let sinkError { throw sinkError }
        let status = status(of: task)
        if let error {
            if error is CancellationError { throw error }
            let urlError = error as? URLError
            if status == 0 {
                switch urlError?.code {
                case .cannotConnectToHost?: throw SpeechClientError.noServer(server)
                case .cancelled?: throw CancellationError()
                default: throw SpeechClientError.transport(server, detail: error.localizedDescription)
                }
            }
            throw SpeechClientError.interrupted(detail: error.localizedDescription)
        }
        guard (200..<300).contains(status) else {
            throw SpeechClientError.server(status: status, message: SpeechClient.errorMessage(status: status, body: errorBody))
        }
        var headers: [String: String] = [:]
        for case let (name as String, value as String) in (task.response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
            headers[name.lowercased()] = value
        }
        return headers
    }
}

