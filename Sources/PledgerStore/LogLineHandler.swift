import Foundation
import Logging
import PledgerDomain
import Synchronization

/// How log entries are written: `text` (swift-log's console lines, for people) or `json`
/// (one object per line, for the journal and log shippers that index fields).
public enum LogFormat: String, CaseIterable, Sendable {
    case text, json

    private static let bootstrapped = Mutex(false)

    /// Makes `self` the process's log format (`LogLineHandler`, on stderr). swift-log allows
    /// one bootstrap per process, so only the first call counts.
    public func bootstrap() {
        let first = Self.bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap(
            { label, provider in LogLineHandler(label: label, format: self, metadataProvider: provider) }, metadataProvider: nil)
    }
}

/// Each entry one line on stderr, in a `LogFormat`. `json`: one object, with `time` (RFC 3339,
/// UTC, milliseconds), `level`, `label`, `message`, `source`, then every metadata item as a
/// field of its own (a key that would shadow one of those five is written as `meta.<key>`).
/// `text`: `time level label: key=value … [source] message`, as swift-log's console handler
/// writes it, the time as in `json`. Metadata is rendered only when an entry is written:
/// swift-log's console handler rendered it again each time a key was set, three times a
/// request whatever the log level (about 3.6 % of a server's CPU answering reports). Each
/// line is one `write(2)` under a lock, so entries from concurrent tasks never interleave.
public struct LogLineHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    /// Where lines go; stderr unless a test collects them.
    let output: @Sendable (String) -> Void

    public init(
        label: String, format: LogFormat = .json, metadataProvider: Logger.MetadataProvider? = nil,
        output: @escaping @Sendable (String) -> Void = LogLineHandler.stderr
    ) {
        self.label = label
        self.format = format
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let given = event.metadata { merged.merge(given) { _, new in new } }
        let (time, message) = (Date(), event.message.description)
        switch format {
        case .json: output(Self.json(time: time, level: event.level, label: label, message: message, source: event.source, merged))
        case .text: output(Self.text(time: time, level: event.level, label: label, message: message, source: event.source, merged))
        }
    }

    /// The text line for one entry, newline included; metadata keys sorted.
    static func text(time: Date, level: Logger.Level, label: String, message: String, source: String, _ metadata: Logger.Metadata)
        -> String
    {
        var out = "\(timestamp(time)) \(level.rawValue)\(label.isEmpty ? "" : " ")\(label):"
        for key in metadata.keys.sorted() { out += " \(key)=\(metadata[key]!)" }
        out += " [\(source)] \(message)\n"
        return out
    }

    static let fixed: Set<String> = ["time", "level", "label", "message", "source"]

    /// The json line for one entry, newline included; metadata keys sorted so lines diff well.
    static func json(time: Date, level: Logger.Level, label: String, message: String, source: String, _ metadata: Logger.Metadata)
        -> String
    {
        var out = "{\"time\":\"\(timestamp(time))\",\"level\":\"\(level.rawValue)\",\"label\":"
        string(label, into: &out)
        out += ",\"message\":"
        string(message, into: &out)
        out += ",\"source\":"
        string(source, into: &out)
        for key in metadata.keys.sorted() {
            out += ","
            string(fixed.contains(key) ? "meta.\(key)" : key, into: &out)
            out += ":"
            value(metadata[key]!, into: &out)
        }
        out += "}\n"
        return out
    }

    static func value(_ value: Logger.Metadata.Value, into out: inout String) {
        switch value {
        case .string(let text): string(text, into: &out)
        case .stringConvertible(let convertible): string(convertible.description, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                Self.value(item, into: &out)
            }
            out += "]"
        case .dictionary(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                string(key, into: &out)
                out += ":"
                Self.value(members[key]!, into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal, escaped as the ledger's canonical JSON escapes it: quotes,
    /// backslashes and every control character, so an entry is always one line.
    static func string(_ text: String, into out: inout String) { out += CanonicalJSON.quoted(text) }

    /// `2026-03-01T09:30:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = Int(millis % 1000)
        let fraction = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }

    private static let writing = Mutex(())

    /// Writes a whole line to file descriptor 2, retrying short writes.
    public static let stderr: @Sendable (String) -> Void = { line in
        let bytes = Array(line.utf8)
        writing.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { buffer in
                    write(2, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
