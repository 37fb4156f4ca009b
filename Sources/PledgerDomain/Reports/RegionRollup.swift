/// The level at which the growth report groups regions. GB/T 2260 codes nest by prefix:
/// two digits name the province, four the prefecture-level city, six the county-level
/// district — 211303 (a district) lies in 211300 (its city), which lies in 210000 (Liaoning).
public enum RegionLevel: String, Sendable, Hashable, CaseIterable {
    case district, city, province
}

extension RegionCode {
    /// The code of the area at `level` that contains this one: the prefix, padded with
    /// zeros. A code already at or above the level is its own roll-up (211300 at city level
    /// is 211300). The mapping is a function of the code alone, so every loan lands in
    /// exactly one group and groups sum exactly to the total.
    public func rolledUp(to level: RegionLevel) -> String {
        switch level {
        case .district: value
        case .city: String(value.prefix(4)) + "00"
        case .province: province
        }
    }
}
