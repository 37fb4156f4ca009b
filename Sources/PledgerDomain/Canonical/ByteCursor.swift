/// Writes bytes one after another into memory sized beforehand. The canonical envelope is
/// written for every event `pledger verify` checks, and an array's `append` per piece (each
/// checking the array's uniqueness and capacity) was a quarter of the client's time; a cursor
/// checks only that it stays inside its memory.
struct ByteCursor {
    private(set) var position: UnsafeMutablePointer<UInt8>
    private let end: UnsafeMutablePointer<UInt8>

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        position = buffer.baseAddress!
        end = buffer.baseAddress! + buffer.count
    }

    mutating func put(_ byte: UInt8) {
        precondition(position < end, "a canonical envelope written past the room reserved for it")
        position.initialize(to: byte)
        position += 1
    }

    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        precondition(end - position >= bytes.count, "a canonical envelope written past the room reserved for it")
        position.initialize(from: start, count: bytes.count)
        position += bytes.count
    }

    mutating func put(_ text: StaticString) {
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension Array where Element == UInt8 {
    /// A new array of what `write` writes, at most `bound` bytes (allocated once).
    init(writingAtMost bound: Int, _ write: (inout ByteCursor) -> Void) {
        self.init(unsafeUninitializedCapacity: bound) { buffer, count in
            var cursor = ByteCursor(buffer)
            write(&cursor)
            count = cursor.position - buffer.baseAddress!
        }
    }
}
