import CHeap

/// Keeps a long-running process's memory near what it holds. glibc's allocator raises its
/// threshold for giving large blocks their own mapping each time such a block is freed (up
/// to 32 MiB), after which a start's pages of events and its folds are carved from the heap
/// and their pages stay with the process once released; at a nation's scale a server then
/// held 50–60 MiB more than it used. Fixing the threshold, and handing free pages back after
/// the work that leaves most behind (a projector's start, a scheme's loans read, a past view),
/// keeps the resident size to the live states. No-ops where the C library is not glibc.
public enum Heap {
    /// Blocks of 128 KiB and more get their own mapping, returned to the system when freed.
    public static func keepLargeBlocksApart() {
        pledger_heap_fix_mmap_threshold(128 * 1024)
    }

    /// Returns the heap's free pages to the system (a few milliseconds on a national ledger's heap).
    static func returnFreePages() {
        pledger_heap_trim()
    }
}
