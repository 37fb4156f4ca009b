import PledgerDomain

/// Reports people read: the growth and exposure reports as self-contained HTML pages with
/// SVG charts drawn here, for the CLI (`--html FILE`) and the API (`Accept: text/html`)
/// alike. Pure: the caller reads the ledger and says where the figures came from.
public enum ReportPages {
    /// The policy each page carries in a `<meta>`; servers should also send it as a header.
    public static let contentSecurityPolicy = Page.contentSecurityPolicy

    /// The growth page: `total` unsliced, then one small-multiples section per report in
    /// `slices` (each sliced by one dimension).
    public static func growth(_ total: GrowthReport, slices: [GrowthReport], provenance: Provenance, language: Language = .zh) -> String {
        GrowthPage(total: total, slices: slices, provenance: provenance, language: language).html
    }

    /// The exposure page from the fund's reports at each month end, the last being as of
    /// the page's date (`ExposureHistory`). `history` must not be empty.
    public static func exposure(_ history: [ExposureReport], provenance: Provenance, language: Language = .zh) -> String {
        precondition(!history.isEmpty, "an exposure page needs at least the report as of its date")
        return ExposurePage(history: history, provenance: provenance, language: language).html
    }
}
