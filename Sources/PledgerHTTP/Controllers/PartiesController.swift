import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/v1/banks`, `/v1/borrowers`, `/v1/assets`: who lends, who borrows, what is pledged.
struct PartiesController {
    let api: API

    func addRoutes(to group: Group) {
        let reporters: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, _ in try Permission.reportParties(identity)
        }
        group.write(
            "banks", RegisterBankRequest.self, api: api, creates: true,
            allow: { identity, _ in try Permission.administerPlatform(identity) }
        ) { body, _ in body.command }
        group.write("borrowers", RegisterBorrowerRequest.self, api: api, creates: true, allow: reporters) { body, _ in body.command }
        group.write("borrowers/:uscc/firm-size", FirmSizeRequest.self, api: api, allow: reporters) { body, context in
            body.command(try context.id("uscc") { try Uscc($0) })
        }
        group.write("assets", RegisterAssetRequest.self, api: api, creates: true, allow: reporters) { body, _ in body.command }
        group.write(
            "assets/:asset_id/valuations", ValuationRequest.self, api: api,
            allow: { identity, context in
                try Permission.reportParties(identity)
                try await valueOnlyOwnPledges(identity, asset: try context.assetId())
            }
        ) { body, context in body.command(try context.assetId()) }

        /// A pledged asset's value backs one bank's loan: only that bank (or a fund or
        /// platform administrator) may report new valuations of it.
        @Sendable func valueOnlyOwnPledges(_ identity: Identity, asset id: AssetId) async throws {
            guard identity.role == .bank else { return }
            var states = AggregateStates()
            try await api.ledger.commands.load(.asset(id), into: &states)
            if let pledge = states.assets[id]?.activePledge, pledge.bankId != identity.bank {
                throw Problem.forbidden(
                    "asset \(id) is pledged to another bank's loan; only that bank or a fund administrator may report its valuations")
            }
        }

        group.get("banks") { request, context -> Response in
            _ = try context.caller()
            let limit = try request.query.int("limit", default: 100, range: 1...1000)
            let after = try request.query.cursor(numeric: true).map { Int64($0) ?? 0 } ?? 0
            return try await api.read(request, needs: .log) { reads in
                let events = try await reads.readModels.registrations(type: BankRegistered.type, after: after, limit: limit)
                let items = try events.map { stored -> JSONValue in
                    guard case .bankRegistered(let bank) = try RecordedEvent(stored.envelope).event else { return .null }
                    return Views.object([
                        "bank_id": .string(bank.bankId.value), "name": .string(bank.name), "licence": .string(bank.licence),
                    ])
                }
                return JSONIO.response(page(items, next: events.count == limit ? events.last.map { String($0.position) } : nil))
            }
        }

        group.get("banks/:bank_id") { _, context -> Response in
            _ = try context.caller()
            let id = try context.bankId()
            let (states, version) = try await api.load(.bank(id), notFound: "no bank \(id)")
            return JSONIO.response(Views.bank(states.banks[id]!, version: version), headers: [.eTag: "\"\(version)\""])
        }

        group.get("borrowers/:uscc") { _, context -> Response in
            _ = try context.caller()
            let uscc = try context.id("uscc") { try Uscc($0) }
            let (states, version) = try await api.load(.borrower(uscc), notFound: "no borrower \(uscc)")
            return JSONIO.response(try Views.borrower(states.borrowers[uscc]!, version: version), headers: [.eTag: "\"\(version)\""])
        }

        group.get("assets/:asset_id") { _, context -> Response in
            let caller = try context.caller()
            let id = try context.assetId()
            let (states, version) = try await api.load(.asset(id), notFound: "no asset \(id)")
            return JSONIO.response(
                try Views.asset(states.assets[id]!, version: version, viewer: caller), headers: [.eTag: "\"\(version)\""])
        }
    }
}
