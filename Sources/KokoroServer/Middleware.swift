import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id (the client's `X-Request-Id` or a new one), puts it in the
/// request's log metadata and response headers, logs the outcome, and counts it.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    static var quietPaths: Set<String> { ["/health", "/ready", "/metrics", "/status"] }

    /// The metrics label of a handled request: its route's pattern, set by the router while
    /// it ran. Only routes that exist become labels; a series per unmatched path would let
    /// anyone grow the metrics without bound.
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[.requestID].map { String($0.prefix(64)) } ?? String(UUID().uuidString.prefix(8)).lowercased()
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            metrics.requestFinished(route: Self.route(context), status: Int(response.status.code))
            // Probes and scrapes arrive every few seconds: keep them out of the info log.
            let level: Logger.Level = Self.quietPaths.contains(request.uri.path) ? .debug : .info
            context.logger.log(level: level, "\(request.method) \(request.uri.path) \(response.status.code)",
                               metadata: ["ms": "\(Int(start.duration(to: .now).seconds * 1000))"])
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.requestFinished(route: Self.route(context), status: Int(status))
            context.logger.info("\(request.method) \(request.uri.path) \(status)", metadata: ["error": "\(error)"])
            if var apiError = error as? APIError {
                apiError.headers[.requestID] = id
                throw apiError
            }
            throw error
        }
    }
}

/// Requires `Authorization: Bearer KEY` on everything but the page and the probes, when
/// keys are configured. Keys are compared in constant time.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: [[UInt8]]
    static var openPaths: Set<String> { ["/", "/health", "/ready"] }

    init(keys: [String]) { self.keys = keys.map { Array($0.utf8) } }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !keys.isEmpty, !Self.openPaths.contains(request.uri.path), request.method != .options else {
            return try await next(request, context)
        }
        // The scheme is case-insensitive (RFC 9110 §11.1): "bearer KEY" is as good.
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw unauthorized("missing API key: send Authorization: Bearer YOUR_KEY")
        }
        let presented = Array(header.dropFirst(7).trimmingPrefix(while: { $0 == " " }).utf8)
        // Check every key, whatever matched, so timing does not reveal which or how much.
        var matched = false
        for key in keys { matched = Self.constantTimeEqual(key, presented) || matched }
        guard matched else { throw unauthorized("invalid API key") }
        return try await next(request, context)
    }

    private func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, message, type: "invalid_request_error", code: "invalid_api_key")
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// CORS for the configured origins only (none by default): the request's origin is echoed
/// when allowed, and preflights are answered here.
struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) || origins.contains("*") else {
            return try await next(request, context)
        }
        var headers: HTTPFields = [
            .accessControlAllowOrigin: origins.contains("*") ? "*" : origin,
            .vary: "Origin",
            .accessControlExposeHeaders: "X-Request-Id, X-Audio-Duration, X-Generation-Time, X-RTF, X-Speed-Clamped",
        ]
        if request.method == .options {
            headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "Authorization, Content-Type"
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch var error as APIError {
            error.headers.append(contentsOf: headers)
            throw error
        }
    }
}
