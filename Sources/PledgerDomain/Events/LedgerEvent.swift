import Foundation

/// A payload of the event catalogue: a `Codable` struct whose JSON (snake_case keys,
/// amounts in fen, dates `YYYY-MM-DD`) is the event's `data`.
public protocol EventPayload: Sendable, Hashable, Codable {
    /// The event type name stored in `events.type`; never repurposed.
    static var type: String { get }
    /// The current schema version written for new events of this type.
    static var schema: Int32 { get }
}

extension EventPayload {
    public static var schema: Int32 { 1 }
}

/// Every event the ledger knows, as one enum so that folds can switch over it.
public enum LedgerEvent: Sendable, Hashable {
    case fundEstablished(FundEstablished)
    case fundPolicyAmended(FundPolicyAmended)
    case fundContributionReceived(FundContributionReceived)
    case bankJoined(BankJoined)
    case fundSuspended(FundSuspended)
    case fundResumed(FundResumed)
    case compensationCommitted(CompensationCommitted)
    case compensationDisbursed(CompensationDisbursed)
    case recoveryShareReceived(RecoveryShareReceived)
    case bankRegistered(BankRegistered)
    case borrowerRegistered(BorrowerRegistered)
    case assetRegistered(AssetRegistered)
    case assetValued(AssetValued)
    case assetPledged(AssetPledged)
    case assetPledgeReleased(AssetPledgeReleased)
    case loanOriginated(LoanOriginated)
    case repaymentReceived(RepaymentReceived)
    case loanDefaulted(LoanDefaulted)
    case compensationClaimed(CompensationClaimed)
    case compensationApproved(CompensationApproved)
    case compensationRejected(CompensationRejected)
    case compensationPaid(CompensationPaid)
    case recoveryReceived(RecoveryReceived)
    case recoveryReturnedToFund(RecoveryReturnedToFund)
    case loanWrittenOff(LoanWrittenOff)
    case loanClosed(LoanClosed)
    case loanCancelled(LoanCancelled)
    case entryReversed(EntryReversed)
    // Fund rules: cover on the fund stream, per-bank suspensions, reference rates, firm sizes.
    case coverGranted(CoverGranted)
    case coverDefaulted(CoverDefaulted)
    case coverReleased(CoverReleased)
    case bankEnrolmentSuspended(BankEnrolmentSuspended)
    case bankEnrolmentResumed(BankEnrolmentResumed)
    case lprPublished(LprPublished)
    case borrowerFirmSizeRecorded(BorrowerFirmSizeRecorded)
    // Claim queue and fund account (Events/ClaimQueueEvents.swift, Events/FundAccountEvents.swift).
    case compensationWithdrawn(CompensationWithdrawn)
    case compensationReleased(CompensationReleased)
    case fundInterestCredited(FundInterestCredited)
    case fundBankCharged(FundBankCharged)
    case fundContributionReturned(FundContributionReturned)
    case fundTransferredOut(FundTransferredOut)
    case fundTransferredIn(FundTransferredIn)
    // Risk sharing (Events/SchemeEvents.swift).
    case schemeAgreed(SchemeAgreed)
    case schemeRevised(SchemeRevised)
    case schemeLoanEnrolled(SchemeLoanEnrolled)
    case loanEnrolledInScheme(LoanEnrolledInScheme)
    case lossShared(LossShared)
    case lossShareSettled(LossShareSettled)
    case recoveryShared(RecoveryShared)
    case schemeShareDisbursed(SchemeShareDisbursed)
    case schemeRecoveryShareReceived(SchemeRecoveryShareReceived)
    // Subsidy programmes (Events/SubsidyEvents.swift).
    case subsidyProgrammeEstablished(SubsidyProgrammeEstablished)
    case interestSubsidyApplied(InterestSubsidyApplied)
    case appraisalFeeSubsidyApplied(AppraisalFeeSubsidyApplied)
    case subsidyApproved(SubsidyApproved)
    case subsidyRejected(SubsidyRejected)
    case subsidyPaid(SubsidyPaid)
    // Pledge insurance (Events/InsuranceEvents.swift).
    case loanInsured(LoanInsured)
    case policyIssued(PolicyIssued)
    case policyClaimSettled(PolicyClaimSettled)
    case premiumSubsidised(PremiumSubsidised)
    case premiumSubsidyPaid(PremiumSubsidyPaid)
    case loanPolicyCancelled(LoanPolicyCancelled)
    case policyCancelled(PolicyCancelled)

    public var payload: any EventPayload {
        switch self {
        case .fundEstablished(let e): e
        case .fundPolicyAmended(let e): e
        case .fundContributionReceived(let e): e
        case .bankJoined(let e): e
        case .fundSuspended(let e): e
        case .fundResumed(let e): e
        case .compensationCommitted(let e): e
        case .compensationDisbursed(let e): e
        case .recoveryShareReceived(let e): e
        case .bankRegistered(let e): e
        case .borrowerRegistered(let e): e
        case .assetRegistered(let e): e
        case .assetValued(let e): e
        case .assetPledged(let e): e
        case .assetPledgeReleased(let e): e
        case .loanOriginated(let e): e
        case .repaymentReceived(let e): e
        case .loanDefaulted(let e): e
        case .compensationClaimed(let e): e
        case .compensationApproved(let e): e
        case .compensationRejected(let e): e
        case .compensationPaid(let e): e
        case .recoveryReceived(let e): e
        case .recoveryReturnedToFund(let e): e
        case .loanWrittenOff(let e): e
        case .loanClosed(let e): e
        case .loanCancelled(let e): e
        case .entryReversed(let e): e
        case .coverGranted(let e): e
        case .coverDefaulted(let e): e
        case .coverReleased(let e): e
        case .bankEnrolmentSuspended(let e): e
        case .bankEnrolmentResumed(let e): e
        case .lprPublished(let e): e
        case .borrowerFirmSizeRecorded(let e): e
        case .compensationWithdrawn(let e): e
        case .compensationReleased(let e): e
        case .fundInterestCredited(let e): e
        case .fundBankCharged(let e): e
        case .fundContributionReturned(let e): e
        case .fundTransferredOut(let e): e
        case .fundTransferredIn(let e): e
        case .schemeAgreed(let e): e
        case .schemeRevised(let e): e
        case .schemeLoanEnrolled(let e): e
        case .loanEnrolledInScheme(let e): e
        case .lossShared(let e): e
        case .lossShareSettled(let e): e
        case .recoveryShared(let e): e
        case .schemeShareDisbursed(let e): e
        case .schemeRecoveryShareReceived(let e): e
        case .subsidyProgrammeEstablished(let e): e
        case .interestSubsidyApplied(let e): e
        case .appraisalFeeSubsidyApplied(let e): e
        case .subsidyApproved(let e): e
        case .subsidyRejected(let e): e
        case .subsidyPaid(let e): e
        case .loanInsured(let e): e
        case .policyIssued(let e): e
        case .policyClaimSettled(let e): e
        case .premiumSubsidised(let e): e
        case .premiumSubsidyPaid(let e): e
        case .loanPolicyCancelled(let e): e
        case .policyCancelled(let e): e
        }
    }

    public var type: String { Swift.type(of: payload).type }
    public var schema: Int32 { Swift.type(of: payload).schema }

    /// The event's `data` as JSON (canonicalised when it is stored): the payload's `Codable`
    /// form with snake_case keys, built without going through JSON text (and for the frequent
    /// types without an `Encoder`: `MembersCodable`).
    public func jsonData() throws -> JSONValue {
        if let frequent = payload as? any MembersCodable { return try frequent.encoded() }
        return try JSONValueEncoder.encode(payload)
    }

    /// Decodes stored `data`, first upcasting older schema versions to the current one.
    public static func decode(type: String, schema: Int32, data: String) throws -> LedgerEvent {
        var text = data
        if let event = text.withUTF8({ canonical(type: type, schema: schema, $0) }) { return event }
        return try parsed(type: type, schema: schema) { try JSONParser.parse(data) }
    }

    /// Decodes stored `data` given as its UTF-8 bytes (a binary `COPY` of the log).
    public static func decode(type: String, schema: Int32, utf8 data: some Sequence<UInt8>) throws -> LedgerEvent {
        if let event = data.withContiguousStorageIfAvailable({ canonical(type: type, schema: schema, $0) }) ?? nil { return event }
        return try parsed(type: type, schema: schema) { try JSONParser.parse(data) }
    }

    /// The event read straight from its canonical text (`CanonicalReader`) for the types a
    /// rebuild reads most; nil for other types, other schemas, or text the reader leaves to
    /// the parser.
    static func canonical(type: String, schema: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> LedgerEvent? {
        var reader = CanonicalReader(bytes)
        let event: LedgerEvent?
        switch type {
        case LoanOriginated.type where schema == LoanOriginated.schema:
            event = LoanOriginated(canonical: &reader).map(LedgerEvent.loanOriginated)
        case RepaymentReceived.type where schema == RepaymentReceived.schema:
            event = RepaymentReceived(canonical: &reader).map(LedgerEvent.repaymentReceived)
        case LoanClosed.type where schema == LoanClosed.schema:
            event = LoanClosed(canonical: &reader).map(LedgerEvent.loanClosed)
        case BorrowerRegistered.type where schema == BorrowerRegistered.schema:
            event = BorrowerRegistered(canonical: &reader).map(LedgerEvent.borrowerRegistered)
        case CoverGranted.type where schema == CoverGranted.schema: event = CoverGranted(canonical: &reader).map(LedgerEvent.coverGranted)
        case CoverReleased.type where schema == CoverReleased.schema:
            event = CoverReleased(canonical: &reader).map(LedgerEvent.coverReleased)
        case CoverDefaulted.type where schema == CoverDefaulted.schema:
            event = CoverDefaulted(canonical: &reader).map(LedgerEvent.coverDefaulted)
        default: return nil
        }
        return reader.atEnd ? event : nil
    }

    /// Decodes `parse`'s JSON: the way of every event that is not read straight from its text.
    static func parsed(type: String, schema: Int32, parsing parse: () throws -> JSONValue) throws -> LedgerEvent {
        guard let entry = catalogue[type] else { throw EventDecodingError.unknownType(type) }
        if schema > entry.schema { throw EventDecodingError.futureSchema(type: type, schema: schema, known: entry.schema) }
        do {
            var json = try parse()
            if schema != entry.schema { json = try Upcasters.upcast(type: type, from: schema, to: entry.schema, json) }
            return try entry.decode(json)
        } catch let error as DecodingError {
            throw EventDecodingError.malformed(type: type, detail: EventCoding.describe(error))
        } catch let error as CanonicalJSONError {
            throw EventDecodingError.malformed(type: type, detail: error.description)
        }
    }

    /// Every event type with its current schema and decoder.
    static let catalogue: [String: (schema: Int32, decode: @Sendable (JSONValue) throws -> LedgerEvent)] = {
        var entries: [String: (schema: Int32, decode: @Sendable (JSONValue) throws -> LedgerEvent)] = [:]
        func add<P: EventPayload>(_ type: P.Type, _ wrap: @escaping @Sendable (P) -> LedgerEvent) {
            entries[P.type] = (P.schema, { wrap(try JSONValueDecoder.decode(P.self, from: $0)) })
        }
        func add<P: EventPayload & MembersCodable>(members type: P.Type, _ wrap: @escaping @Sendable (P) -> LedgerEvent) {
            entries[P.type] = (P.schema, { wrap(try P.decode(from: $0)) })
        }
        add(FundEstablished.self, LedgerEvent.fundEstablished)
        add(FundPolicyAmended.self, LedgerEvent.fundPolicyAmended)
        add(FundContributionReceived.self, LedgerEvent.fundContributionReceived)
        add(BankJoined.self, LedgerEvent.bankJoined)
        add(FundSuspended.self, LedgerEvent.fundSuspended)
        add(FundResumed.self, LedgerEvent.fundResumed)
        add(CompensationCommitted.self, LedgerEvent.compensationCommitted)
        add(CompensationDisbursed.self, LedgerEvent.compensationDisbursed)
        add(RecoveryShareReceived.self, LedgerEvent.recoveryShareReceived)
        add(BankRegistered.self, LedgerEvent.bankRegistered)
        add(members: BorrowerRegistered.self, LedgerEvent.borrowerRegistered)
        add(members: AssetRegistered.self, LedgerEvent.assetRegistered)
        add(members: AssetValued.self, LedgerEvent.assetValued)
        add(members: AssetPledged.self, LedgerEvent.assetPledged)
        add(members: AssetPledgeReleased.self, LedgerEvent.assetPledgeReleased)
        add(members: LoanOriginated.self, LedgerEvent.loanOriginated)
        add(members: RepaymentReceived.self, LedgerEvent.repaymentReceived)
        add(members: LoanDefaulted.self, LedgerEvent.loanDefaulted)
        add(members: CompensationClaimed.self, LedgerEvent.compensationClaimed)
        add(CompensationApproved.self, LedgerEvent.compensationApproved)
        add(CompensationRejected.self, LedgerEvent.compensationRejected)
        add(CompensationPaid.self, LedgerEvent.compensationPaid)
        add(members: RecoveryReceived.self, LedgerEvent.recoveryReceived)
        add(RecoveryReturnedToFund.self, LedgerEvent.recoveryReturnedToFund)
        add(LoanWrittenOff.self, LedgerEvent.loanWrittenOff)
        add(members: LoanClosed.self, LedgerEvent.loanClosed)
        add(LoanCancelled.self, LedgerEvent.loanCancelled)
        add(EntryReversed.self, LedgerEvent.entryReversed)
        add(members: CoverGranted.self, LedgerEvent.coverGranted)
        add(members: CoverDefaulted.self, LedgerEvent.coverDefaulted)
        add(members: CoverReleased.self, LedgerEvent.coverReleased)
        add(BankEnrolmentSuspended.self, LedgerEvent.bankEnrolmentSuspended)
        add(BankEnrolmentResumed.self, LedgerEvent.bankEnrolmentResumed)
        add(LprPublished.self, LedgerEvent.lprPublished)
        add(BorrowerFirmSizeRecorded.self, LedgerEvent.borrowerFirmSizeRecorded)
        add(CompensationWithdrawn.self, LedgerEvent.compensationWithdrawn)
        add(CompensationReleased.self, LedgerEvent.compensationReleased)
        add(FundInterestCredited.self, LedgerEvent.fundInterestCredited)
        add(FundBankCharged.self, LedgerEvent.fundBankCharged)
        add(FundContributionReturned.self, LedgerEvent.fundContributionReturned)
        add(FundTransferredOut.self, LedgerEvent.fundTransferredOut)
        add(FundTransferredIn.self, LedgerEvent.fundTransferredIn)
        add(SchemeAgreed.self, LedgerEvent.schemeAgreed)
        add(SchemeRevised.self, LedgerEvent.schemeRevised)
        add(members: SchemeLoanEnrolled.self, LedgerEvent.schemeLoanEnrolled)
        add(members: LoanEnrolledInScheme.self, LedgerEvent.loanEnrolledInScheme)
        add(LossShared.self, LedgerEvent.lossShared)
        add(members: LossShareSettled.self, LedgerEvent.lossShareSettled)
        add(RecoveryShared.self, LedgerEvent.recoveryShared)
        add(SchemeShareDisbursed.self, LedgerEvent.schemeShareDisbursed)
        add(SchemeRecoveryShareReceived.self, LedgerEvent.schemeRecoveryShareReceived)
        add(SubsidyProgrammeEstablished.self, LedgerEvent.subsidyProgrammeEstablished)
        add(members: InterestSubsidyApplied.self, LedgerEvent.interestSubsidyApplied)
        add(members: AppraisalFeeSubsidyApplied.self, LedgerEvent.appraisalFeeSubsidyApplied)
        add(members: SubsidyApproved.self, LedgerEvent.subsidyApproved)
        add(members: SubsidyRejected.self, LedgerEvent.subsidyRejected)
        add(members: SubsidyPaid.self, LedgerEvent.subsidyPaid)
        add(LoanInsured.self, LedgerEvent.loanInsured)
        add(PolicyIssued.self, LedgerEvent.policyIssued)
        add(PolicyClaimSettled.self, LedgerEvent.policyClaimSettled)
        add(PremiumSubsidised.self, LedgerEvent.premiumSubsidised)
        add(PremiumSubsidyPaid.self, LedgerEvent.premiumSubsidyPaid)
        add(LoanPolicyCancelled.self, LedgerEvent.loanPolicyCancelled)
        add(PolicyCancelled.self, LedgerEvent.policyCancelled)
        return entries
    }()

    public static var knownTypes: [String] { catalogue.keys.sorted() }
}

/// An event as the ledger recorded it: where, when, and under which id.
public struct RecordedEvent: Sendable, Hashable {
    public let id: UUID
    public let stream: String
    public let version: Int32
    public let position: Int64
    public let recordedAt: RecordedTime
    public let event: LedgerEvent

    public init(id: UUID, stream: String, version: Int32, position: Int64, recordedAt: RecordedTime, event: LedgerEvent) {
        self.id = id
        self.stream = stream
        self.version = version
        self.position = position
        self.recordedAt = recordedAt
        self.event = event
    }

    /// Decodes a stored envelope (upcasting as needed).
    public init(_ envelope: EventEnvelope) throws {
        self.init(
            id: envelope.eventId, stream: envelope.stream, version: envelope.version, position: envelope.position,
            recordedAt: envelope.recordedAt,
            event: try LedgerEvent.decode(type: envelope.type, schema: envelope.schema, data: envelope.data))
    }
}

public enum EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownType(String)
    case futureSchema(type: String, schema: Int32, known: Int32)
    case malformed(type: String, detail: String)

    public var description: String {
        switch self {
        case .unknownType(let type): "unknown event type \(type)"
        case .futureSchema(let type, let schema, let known):
            "\(type) has schema \(schema), newer than this build knows (\(known)); upgrade pledger"
        case .malformed(let type, let detail): "\(type): \(detail)"
        }
    }
}

/// JSON settings for event payloads: snake_case keys on the wire, camelCase in Swift.
public enum EventCoding {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// A decoding error as "field: what is wrong", with the snake_case path.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let parts = keys.map { key -> String in
                if let index = key.intValue { return "[\(index)]" }
                return snake(key.stringValue)
            }
            return parts.reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let prefix = path(context.codingPath)
            return "\(prefix.isEmpty ? "" : prefix + ".")\(snake(key.stringValue)): is required"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type)), found null"
        case .dataCorrupted(let context):
            let location = path(context.codingPath)
            return location.isEmpty ? context.debugDescription : "\(location): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type, is Float.Type: "a number"
        default:
            // Never a Swift type's name: say what JSON shape was wanted.
            switch String(describing: type) {
            case let name where name.hasPrefix("Dictionary"): "an object"
            case let name where name.hasPrefix("Array"): "an array"
            default: "another kind of value"
            }
        }
    }

    static func snake(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
