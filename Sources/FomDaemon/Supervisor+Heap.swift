import FomCore
import SystemKit

/// The daemon's own memory after a burst (a restart storm, a 1,000-row `list` answer, a reload):
/// malloc keeps what the burst freed, and the daemon's resident size would stay at the burst's
/// peak. A second after a turn of the loop that left the heap 1 MiB or more above where the last
/// look (or the daemon's start) left it, or that removed an instance (which frees much without
/// growing it), the daemon looks at its heap; when 1 MiB more is free than the least seen since
/// the last trim, one malloc_trim gives the pages back. Growth under 1 MiB cannot by itself make
/// 1 MiB worth giving back, so it schedules nothing and counts toward the next look: neither the
/// start of a small daemon nor one answering small commands (a 10-row `list`) is woken for a look.
extension Supervisor {
    static let heapLookDelay: Duration = .seconds(1)
    static let heapFreeWorthTrimming = 1 << 20

    /// The loop did some work: a look at the heap a second from now if the heap grew 1 MiB or
    /// more since the last look (or `always`), unless one is due already.
    func scheduleHeapLook(always: Bool = false) {
        let top = Heap.top
        guard always || top >= heap.top &+ UInt(Self.heapFreeWorthTrimming) else { return }
        heap.top = max(heap.top, top)
        if heap.lookAt == nil { heap.lookAt = now + Self.heapLookDelay }
    }

    func fireHeapLook(_ t: Instant) {
        guard let at = heap.lookAt, at <= t else { return }
        heap.lookAt = nil
        defer { heap.top = Heap.top }
        let free = Heap.freeBytes
        heap.floor = min(heap.floor, free)
        guard free > heap.floor + Self.heapFreeWorthTrimming else { return }
        Heap.trim()
        // What malloc still counts as free after the trim (pieces between live blocks).
        heap.floor = Heap.freeBytes
    }
}

struct HeapTrimState {
    var lookAt: Instant?
    /// The least free heap seen since the last trim: more than that was in use since.
    var floor = 0
    /// The heap's end at the last look, or at the daemon's start: a turn that leaves it 1 MiB
    /// higher grew the heap enough for a look.
    var top: UInt = Heap.top
}
