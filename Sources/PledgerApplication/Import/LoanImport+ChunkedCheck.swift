import Foundation
import PledgerDomain
import PledgerStore

extension LoanImport {
    /// The check of a file a chunk of loans at a time (`RowChunks` cuts and parses them). A
    /// chunk's loans are decided in one session — the streams they read loaded in one round
    /// trip, from the log and from what earlier chunks staged — and its events staged.
    /// Across chunks the session keeps the shared streams (banks, funds, the LPR, schemes,
    /// programmes) and the streams the chunk just decided read or wrote; older borrowers,
    /// assets and loans are read again when a later chunk needs them, so memory holds about
    /// four chunks whatever the file's size (this one, the next being gathered, the last one
    /// being staged, and the first, kept to be written first). A chunk's events are encoded
    /// and staged in the background while the next chunk is decided (that one takes what it
    /// shares with them from memory); the chunk after waits for them.
    ///
    /// Rows of one contract must be in one chunk: consecutive rows always are; a contract
    /// whose rows a chunk boundary separates is refused, naming its lines.
    struct ChunkedCheck {
        let file: String
        let staging: StagingArea
        var outcome = Outcome(problems: [], imported: 0, alreadyThere: 0, events: 0)
        /// The last line of each chunk staged so far (the checkpoint its append will carry).
        var chunkLines: [Int] = []
        var lastLine = 0
        /// The shared streams and those the last chunk read or wrote, as it left them.
        private var carried = AggregateStates()
        /// The carried streams that this import has written (staged or being staged).
        private var carriedStaged = Set<StreamRef>()
        private var stagedEvents: Int64 = 0
        /// Contracts refused so far (as many as the problems listed): rows of one that turn up
        /// in a later chunk must not make a loan of only some of its assets.
        private var refusedContracts = Set<LoanKey>()
        /// The first chunk's events, kept in memory as well as staged: writing them need not
        /// wait for the last chunk's staging, nor read them back.
        private(set) var firstChunk: Task<[StagingArea.Staged], any Error>?
        /// Staging still running: the last chunk's, and the one before it.
        private var staging0: Task<Void, any Error>?
        private var staging1: Task<Void, any Error>?

        init(file: String, staging: StagingArea) {
            self.file = file
            self.staging = staging
        }

        /// Decides and stages a chunk's loans (a chunk with only bad rows stages nothing).
        mutating func check(_ chunk: Gathered) async throws {
            outcome.rows += chunk.rowCount
            lastLine = max(lastLine, chunk.lastLine)
            var session = LedgerSession(states: carried)
            // Streams the last chunk did not carry may have been staged by the one before it.
            try await staging1?.value
            staging1 = staging0
            staging0 = nil
            let (decided, read) = try await decide(chunk.loans, firstLine: chunk.rows.first?.line, in: &session)
            outcome.problems += chunk.problems + decided.problems
            refusedContracts.formUnion(Set(chunk.rows.map(\.key)).subtracting(chunk.loans.map(\.loan.key)))
            outcome.imported += decided.imported
            outcome.alreadyThere += decided.alreadyThere
            outcome.events += decided.events
            let recorded = session.recorded
            let (index, from, area) = (chunkLines.count, stagedEvents, staging)
            let encoding = Task { try await StagingArea.Staged.encode(recorded) }
            staging0 = Task { try await area.stage(try await encoding.value, chunk: index, from: from) }
            if index == 0 { firstChunk = encoding }
            stagedEvents += Int64(recorded.count)
            chunkLines.append(lastLine)
            outcome.chunks = chunkLines.count
            let written = Set(recorded.map(\.stream))
            carried = Self.carried(session.states, keeping: read.union(written))
            carriedStaged = carriedStaged.union(written).filter { carried.isLoaded($0) }
        }

        /// Waits for the staging still running.
        func staged() async throws { try await allStaged().value }

        /// Every chunk staged, waited for in the background.
        func allStaged() -> Task<Void, any Error> {
            let (older, last) = (staging1, staging0)
            return Task {
                try await older?.value
                try await last?.value
            }
        }

        /// A chunk's loans decided in one session; a loan's commands are all accepted or all
        /// dropped. The outcome's problems are the loans the ledger refuses.
        /// Also returns the streams the loans read.
        private mutating func decide(
            _ loans: [(loan: Loan, commands: [LedgerCommand])], firstLine: Int?, in session: inout LedgerSession
        ) async throws -> (Outcome, Set<StreamRef>) {
            let all = loans.flatMap(\.commands)
            var staged = try await load(all, into: &session).union(carriedStaged)
            var imported = 0
            var alreadyThere = 0
            var refused: [Problem] = []
            // Event ids from a generator the system seeds once a chunk: the system's own makes
            // one `getrandom` call per 64 bits, and was a quarter of deciding a command here.
            var random = SeededRandom(state: .random(in: .min ... .max))
            for (loan, commands) in loans {
                staged.formUnion(try await load(commands, into: &session))
                if staged.contains(.loan(loan.key)) || refusedContracts.contains(loan.key) {
                    refused.append(
                        Problem(
                            line: loan.line,
                            message:
                                "\(file): \(loan.lines): contract \(loan.key) also has rows before line \(firstLine ?? loan.line), with other contracts' rows between; put all rows of one contract together"
                        ))
                    continue
                }
                if let existing = session.states.loans[loan.key]?.origination {
                    if loan.matches(existing) {
                        alreadyThere += 1
                        continue
                    }
                    refused.append(
                        Problem(
                            line: loan.line,
                            message: "\(file): \(loan.lines): loan \(loan.key) already exists with other terms or other collateral"))
                    refusedContracts.insert(loan.key)
                    continue
                }
                // What the ledger already has (a borrower with several loans, an asset revalued
                // earlier) is not registered again; the rest of the loan is all-or-nothing.
                let needed = commands.filter { command in
                    switch command {
                    case .borrower(let uscc, _): session.states.borrowers[uscc]?.exists != true
                    case .asset(let id, .register): session.states.assets[id]?.exists != true
                    case .asset(let id, .value(let valuation, _, _, _, _, _)): session.states.assets[id]?.valuations[valuation] == nil
                    default: true
                    }
                }
                do {
                    let time = RecordedTime.now()
                    try session.runAll(needed, at: time) { UUID.timeOrdered(at: time, using: &random) }
                } catch let error as DomainError {
                    let column = LoanImport.column(for: error.field, of: needed[session.refusedCommand ?? 0])
                    refused.append(Problem(line: loan.line, message: "\(file): \(loan.lines), column \(column): \(error.message)"))
                    refusedContracts.insert(loan.key)
                    continue
                }
                imported += 1
            }
            carriedStaged = staged
            let read = Set(all.flatMap { $0.reads(session.states) })
            return (Outcome(problems: refused, imported: imported, alreadyThere: alreadyThere, events: session.recorded.count), read)
        }

        /// Loads into the session every stream the commands read that it does not hold yet
        /// (again while loaded state asks for more); returns those that this import staged.
        private func load(_ commands: [LedgerCommand], into session: inout LedgerSession) async throws -> Set<StreamRef> {
            var staged = Set<StreamRef>()
            while case let missing = Set(commands.flatMap { session.missing(for: $0) }), !missing.isEmpty {
                for (ref, loaded) in try await staging.load(missing) {
                    session.absorb(ref, loaded.events)
                    if loaded.staged { staged.insert(ref) }
                }
            }
            return staged
        }

        /// The streams many loans share, and `keeping`: what the next chunk starts from.
        static func carried(_ states: AggregateStates, keeping: Set<StreamRef>) -> AggregateStates {
            var carried = states
            carried.borrowers = carried.borrowers.filter { keeping.contains(.borrower($0.key)) }
            carried.assets = carried.assets.filter { keeping.contains(.asset($0.key)) }
            carried.loans = carried.loans.filter { keeping.contains(.loan($0.key)) }
            carried.versions = carried.versions.filter {
                switch $0.key {
                case .borrower, .asset, .loan: keeping.contains($0.key)
                default: true
                }
            }
            return carried
        }
    }
}
