/// Kinds of intellectual property that can be pledged.
public enum AssetKind: String, Sendable, Hashable, ClosedSet, Comparable {
    case patent
    case utilityModel = "utility_model"
    case design
    case trademark
    case copyright
    case softwareCopyright = "software_copyright"
    case geographicalIndication = "geographical_indication"
    case icLayout = "ic_layout"
    case plantVariety = "plant_variety"

    public static func < (lhs: AssetKind, rhs: AssetKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How an appraiser valued an asset.
public enum ValuationMethod: String, Sendable, Hashable, ClosedSet {
    case income, market, cost
}

/// Who paid money into the fund.
public enum Contributor: String, Sendable, Hashable, ClosedSet, Comparable {
    case central, province, city, district, other

    public static func < (lhs: Contributor, rhs: Contributor) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// 五级分类 — the regulator's five-category loan classification. The last three are
/// non-performing.
public enum LoanClassification: String, Sendable, Hashable, ClosedSet {
    case normal
    case specialMention = "special_mention"
    case substandard, doubtful, loss

    public var isNonPerforming: Bool { [.substandard, .doubtful, .loss].contains(self) }
}
