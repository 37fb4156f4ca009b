import Foundation
import NIOSSL
import Testing

@testable import PledgerStore

@Suite("DATABASE_URL: parsing and TLS as libpq means it")
struct DatabaseURLTests {
    @Test("the parts of a URL; the password never printed")
    func parts() throws {
        let url = try DatabaseURL("postgres://app:s%40cret@db.internal:6543/ledger")
        #expect(
            url.host == "db.internal" && url.port == 6543 && url.username == "app" && url.password == "s@cret" && url.database == "ledger")
        #expect(url.description == "postgres://app:***@db.internal:6543/ledger")
        #expect(url.sslMode == .disable && url.tls == nil)
    }

    @Test(
        "each sslmode: whether TLS is required and what is verified",
        arguments: [
            ("prefer", false, CertificateVerification.none),
            ("require", true, .none),
            ("verify-ca", true, .noHostnameVerification),
            ("verify-full", true, .fullVerification),
        ])
    func modes(mode: String, required: Bool, verification: CertificateVerification) throws {
        let tls = try #require(try DatabaseURL("postgres://app@db/ledger?sslmode=\(mode)").tls)
        #expect(tls.required == required)
        #expect(tls.configuration.certificateVerification == verification)
    }

    @Test("require with a root certificate checks the chain, as libpq does; the file is used as the trust root")
    func requireWithRoot() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("root-\(UUID()).crt")
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let tls = try #require(try DatabaseURL("postgres://app@db/ledger?sslmode=require&sslrootcert=\(file.path)").tls)
        #expect(tls.configuration.certificateVerification == .noHostnameVerification)
        #expect(tls.configuration.trustRoots == .file(file.path))
    }

    @Test("an unknown sslmode or an unreadable sslrootcert is refused with what to do")
    func refused() {
        for (text, message) in [
            (
                "postgres://app@db/ledger?sslmode=verify",
                "sslmode verify is not supported; use one of disable, prefer, require, verify-ca, verify-full"
            ),
            (
                "postgres://app@db/ledger?sslmode=verify-ca&sslrootcert=/nonexistent/ca.crt",
                "sslrootcert /nonexistent/ca.crt cannot be read"
            ),
        ] {
            #expect {
                try DatabaseURL(text)
            } throws: { error in
                guard case StoreError.configuration(let said) = error else { return false }
                return said == message
            }
        }
    }

    @Test("a URL that cannot be read is named without its user or password, however the password is written")
    func redacted() {
        for text in ["postgres://app:pa/ss@db:5432/ledger", "postgres://app:p:w@db/ledger", "postgres://app:s3cr3t@db:notaport/ledger"] {
            #expect(!DatabaseURL.redacted(text).contains("pa/ss") && !DatabaseURL.redacted(text).contains("s3cr3t"))
            #expect(!DatabaseURL.redacted(text).contains("p:w"))
        }
        #expect(DatabaseURL.redacted("postgres://app:pa/ss@db:5432/ledger") == "postgres://***@db:5432/ledger")
    }
}
