/// 企业规模 — an enterprise's size class under the SME classification rules (工信部联企业
/// 〔2011〕300号): what funds cap a loan's principal by.
public enum FirmSize: String, Sendable, Hashable, ClosedSet, Comparable {
    case micro, small, medium, large

    public static func < (lhs: FirmSize, rhs: FirmSize) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
