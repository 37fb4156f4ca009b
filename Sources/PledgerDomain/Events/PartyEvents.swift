public struct BankRegistered: EventPayload {
    public static let type = "BankRegistered"
    public var bankId: BankId
    public var name: String
    public var licence: String
}

public struct BorrowerRegistered: EventPayload {
    public static let type = "BorrowerRegistered"
    public var uscc: Uscc
    public var name: String
    public var industry: IndustryCode
    public var region: RegionCode
    public var techSme: Bool
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
