import Foundation

/// PostgreSQL's C client, loaded when the first `BinaryCopyReader` connects. Linked, it and
/// its chain of libraries (TLS, Kerberos, LDAP, GnuTLS: about 5 MiB resident) would load into
/// every `pledger` process — `serve` too — for the one command that reads with it; and a
/// machine without libpq could not run the binary at all.
///
/// The signatures are libpq's own (libpq-fe.h), stable since PostgreSQL 9; connections and
/// results are opaque pointers.
struct LibPQ: @unchecked Sendable {
    typealias Connection = OpaquePointer
    typealias Result = OpaquePointer

    let connectdbParams: @convention(c) (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, CInt) -> Connection?
    let status: @convention(c) (Connection?) -> CInt
    let errorMessage: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let finish: @convention(c) (Connection?) -> Void
    let exec: @convention(c) (Connection?, UnsafePointer<CChar>?) -> Result?
    let resultStatus: @convention(c) (Result?) -> CInt
    let resultErrorField: @convention(c) (Result?, CInt) -> UnsafeMutablePointer<CChar>?
    let clear: @convention(c) (Result?) -> Void
    let getResult: @convention(c) (Connection?) -> Result?
    let getCopyData: @convention(c) (Connection?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, CInt) -> CInt
    let freemem: @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// `ConnStatusType.CONNECTION_OK`.
    static let connectionOK: CInt = 0
    /// `ExecStatusType`: `PGRES_COMMAND_OK`, `PGRES_COPY_OUT`.
    static let commandOK: CInt = 1
    static let copyOut: CInt = 3
    /// `PG_DIAG_SQLSTATE`, `PG_DIAG_MESSAGE_PRIMARY`.
    static let sqlStateField = CInt(UInt8(ascii: "C"))
    static let messageField = CInt(UInt8(ascii: "M"))

    /// The library, loaded once per process; the error says how to install it.
    static func load() throws -> LibPQ { try loaded.get() }

    private static let loaded = Swift.Result<LibPQ, StoreError> { () throws(StoreError) in try LibPQ() }

    private init() throws(StoreError) {
        let names = ["libpq.so.5", "libpq.so", "libpq.5.dylib", "libpq.dylib"]
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            throw StoreError.configuration(
                "libpq, PostgreSQL's client library, is not installed (verify reads the log through it): install it (Debian: apt-get install libpq5)"
            )
        }
        func symbol<Function>(_ name: String, _: Function.Type = Function.self) throws(StoreError) -> Function {
            guard let address = dlsym(handle, name) else { throw StoreError.configuration("libpq has no \(name): it is too old") }
            return unsafeBitCast(address, to: Function.self)
        }
        connectdbParams = try symbol("PQconnectdbParams")
        status = try symbol("PQstatus")
        errorMessage = try symbol("PQerrorMessage")
        finish = try symbol("PQfinish")
        exec = try symbol("PQexec")
        resultStatus = try symbol("PQresultStatus")
        resultErrorField = try symbol("PQresultErrorField")
        clear = try symbol("PQclear")
        getResult = try symbol("PQgetResult")
        getCopyData = try symbol("PQgetCopyData")
        freemem = try symbol("PQfreemem")
    }
}
