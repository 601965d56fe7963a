import FomCore
import SystemKit

/// The daemon's own memory after a burst (a restart storm, a 1,000-row `list` answer, a reload):
/// malloc keeps what the burst freed, and the daemon's resident size would stay at the burst's
/// peak. A second after work, the daemon looks at its heap; when 1 MiB more is free than the
/// least seen since the last trim, one malloc_trim gives the pages back. Only work schedules a
/// look, so a quiet daemon is never woken for one.
extension Supervisor {
    static let heapLookDelay: Duration = .seconds(1)
    static let heapFreeWorthTrimming = 1 << 20

    /// The loop did some work: a look at the heap a second from now, unless one is due already.
    func scheduleHeapLook() {
        if heap.lookAt == nil { heap.lookAt = now + Self.heapLookDelay }
    }

    func fireHeapLook(_ t: Instant) {
        guard let at = heap.lookAt, at <= t else { return }
        heap.lookAt = nil
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
}
