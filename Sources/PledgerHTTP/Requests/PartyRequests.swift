import PledgerDomain

struct RegisterBankRequest: Codable {
    var bankId: BankId
    var name: String
    var licence: String

    var command: LedgerCommand { .bank(bankId, .register(id: bankId, name: name, licence: licence)) }
}

struct RegisterBorrowerRequest: Codable {
    var uscc: Uscc
    var name: String
    var industry: IndustryCode
    var region: RegionCode
    var techSme: Bool
    var firmSize: FirmSize?

    var command: LedgerCommand {
        .borrower(uscc, .register(uscc: uscc, name: name, industry: industry, region: region, techSme: techSme, firmSize: firmSize))
    }
}

/// The borrower's firm size (micro, small, medium, large), recorded or changed.
struct FirmSizeRequest: Codable {
    var firmSize: FirmSize
    var recordedOn: BusinessDate
    func command(_ uscc: Uscc) -> LedgerCommand { .borrower(uscc, .recordFirmSize(firmSize, recordedOn: recordedOn)) }
}

struct RegisterAssetRequest: Codable {
    var assetId: AssetId
    var kind: AssetKind
    var registryNo: String
    var title: String
    var owner: Uscc

    var command: LedgerCommand { .asset(assetId, .register(id: assetId, kind: kind, registryNo: registryNo, title: title, owner: owner)) }
}

struct ValuationRequest: Codable {
    var valuationId: ValuationId
    var appraiser: String
    var method: ValuationMethod
    var valueFen: Money
    var valuedOn: BusinessDate
    var reportRef: String

    func command(_ asset: AssetId) -> LedgerCommand {
        .asset(
            asset, .value(id: valuationId, appraiser: appraiser, method: method, value: valueFen, valuedOn: valuedOn, reportRef: reportRef))
    }
}
