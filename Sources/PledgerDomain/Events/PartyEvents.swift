public struct BankRegistered: EventPayload {
    public static let type = "BankRegistered"
    public var bankId: BankId
    public var name: String
    public var licence: String
}

public struct BorrowerRegistered: EventPayload {
    public static let type = "BorrowerRegistered"
    /// Schema 2 added the optional `firm_size`; schema-1 registrations are read with none.
    public static let schema: Int32 = 2
    public var uscc: Uscc
    public var name: String
    public var industry: IndustryCode
    public var region: RegionCode
    public var techSme: Bool
    /// Absent when not known at registration (it is not encoded then).
    public var firmSize: FirmSize?

    public init(uscc: Uscc, name: String, industry: IndustryCode, region: RegionCode, techSme: Bool, firmSize: FirmSize? = nil) {
        self.uscc = uscc
        self.name = name
        self.industry = industry
        self.region = region
        self.techSme = techSme
        self.firmSize = firmSize
    }
}

/// A borrower's firm size, recorded or changed after registration; in force from
/// `recorded_on` (enrolment reads the size in force on the origination date).
public struct BorrowerFirmSizeRecorded: EventPayload {
    public static let type = "BorrowerFirmSizeRecorded"
    public var firmSize: FirmSize
    public var recordedOn: BusinessDate
}

public struct AssetRegistered: EventPayload {
    public static let type = "AssetRegistered"
    public var assetId: AssetId
    public var kind: AssetKind
    public var registryNo: String
    public var title: String
    public var owner: Uscc
}

public struct AssetValued: EventPayload {
    public static let type = "AssetValued"
    public var valuationId: ValuationId
    public var appraiser: String
    public var method: ValuationMethod
    public var valueFen: Money
    public var valuedOn: BusinessDate
    public var reportRef: String
}

public struct AssetPledged: EventPayload {
    public static let type = "AssetPledged"
    public var bankId: BankId
    public var contractNo: ContractNo
    /// 质押登记号 — the registration number of the pledge at the IP office.
    public var registrationNo: String
    public var valuationId: ValuationId
    public var pledgedOn: BusinessDate
}

public struct AssetPledgeReleased: EventPayload {
    public static let type = "AssetPledgeReleased"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var releasedOn: BusinessDate
    public var reason: String
}
