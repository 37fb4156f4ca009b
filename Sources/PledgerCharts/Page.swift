/// The frame every report page shares: one self-contained HTML document — inline CSS and
/// SVG, no script, no font, no image, no request of any kind (the Content-Security-Policy
/// forbids them, so a page cannot phone home wherever it is opened) — laid out for A4 and
/// readable printed in black and white.
enum Page {
    /// What the page allows itself: inline styles and `data:` images, nothing else.
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

    static let style = """
        @page { size: A4; margin: 14mm 12mm 16mm 12mm; }
        :root { color: #111; background: #fff; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 10pt; line-height: 1.45; }
        body { margin: 0 auto; max-width: 186mm; padding: 10mm 6mm; }
        h1 { font-size: 17pt; margin: 0 0 1mm; }
        h2 { font-size: 12.5pt; margin: 7mm 0 2mm; padding-bottom: 1mm; border-bottom: 0.8pt solid #111; break-after: avoid; }
        h3 { font-size: 10pt; margin: 0 0 1mm; }
        .subtitle { margin: 0 0 4mm; color: #333; }
        .verdicts { display: flex; flex-wrap: wrap; gap: 2mm 6mm; margin: 2mm 0 3mm; padding: 2mm 3mm; border: 0.8pt solid #111; }
        .verdicts div { white-space: nowrap; }
        .met::before { content: "✓ "; } .missed::before { content: "✗ "; } .breached::before { content: "⚠ "; }
        .missed, .breached { font-weight: bold; text-decoration: underline; }
        figure { margin: 2mm 0 3mm; break-inside: avoid; }
        figcaption { font-size: 9pt; color: #222; margin-top: 1mm; }
        svg { width: 100%; height: auto; display: block; overflow: visible; }
        svg text { fill: #111; }
        svg .halo { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
        table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: 1mm 0 3mm; }
        th, td { border-bottom: 0.5pt solid #999; padding: 0.7mm 1.2mm; text-align: left; vertical-align: bottom; }
        th { border-bottom: 0.9pt solid #111; font-weight: bold; font-size: 7.5pt; line-height: 1.25; }
        tbody th { font-weight: normal; font-size: 8pt; border-bottom: 0.5pt solid #999; }
        .n { text-align: right; font-variant-numeric: tabular-nums; }
        td.n { white-space: nowrap; }
        td code, td span[data-unit="text"] { word-break: break-all; }
        tr { break-inside: avoid; }
        .notes { font-size: 8.5pt; color: #222; padding-left: 4mm; margin: 1mm 0; }
        .multiples { display: grid; grid-template-columns: repeat(3, 1fr); gap: 3mm 4mm; }
        .multiples figure { margin: 0; }
        .appendix { break-before: page; }
        footer { margin-top: 8mm; padding-top: 2mm; border-top: 0.8pt solid #111; font-size: 8pt; break-inside: avoid; }
        footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 3mm; margin: 0; }
        footer dt { font-weight: bold; } footer dd { margin: 0; }
        code { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace; font-size: 7.5pt; word-break: break-all; }
        footer ul { margin: 1mm 0 0; padding-left: 4mm; columns: 2; }
        @media print { body { padding: 0; max-width: none; } }
        """

    /// The whole document around `body` (markup), with the footer naming its provenance.
    static func document(language: Language, title: String, body: String, provenance: Provenance, sources: [Source]) -> String {
        let sourceList = sources.map { source in
            "<li" + Markup.attributes([("data-source", source.key), ("data-request", source.request)]) + "><code>GET "
                + Markup.escape(source.request) + "</code></li>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="\(language.htmlTag)">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Pledger">
            <title>\(Markup.escape(title))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            \(body)
            <footer id="provenance"\(Markup.attributes([("data-position", String(provenance.position)), ("data-hash", provenance.hash.hex), ("data-known-at", provenance.knownAt.description)]))>
            <dl>
            <dt>\(Words.ledgerHead(language))</dt><dd>\(Words.position(language)) <code id="head-position">\(provenance.position)</code> · \(Words.hash(language)) <code id="head-hash">\(provenance.hash.hex)</code></dd>
            <dt>known_at</dt><dd><code id="known-at">\(Markup.escape(provenance.knownAt.description))</code></dd>
            <dt>\(Words.reproduce(language))</dt><dd><code id="reproduce">\(Markup.escape(provenance.reproduce))</code></dd>
            </dl>
            <p>\(Markup.escape(language == .zh ? Words.verify.zh + " " + Words.verify.en : Words.verify.en))</p>
            <details><summary>\(Words.sources(language)) · \(sources.count)</summary>
            <ul id="sources">
            \(sourceList)
            </ul>
            </details>
            </footer>
            </body>
            </html>

            """
    }
}
