import FomCore
import SystemKit

/// The table of `CaptureSlot`s, one per captured stream, in an anonymous file mapped shared.
/// The descriptor holder keeps the file open next to the pipes and spools, so a daemon started
/// after a crash maps the same table and settles every write the crashed one had under way.
/// Stores into the mapping are in the file as soon as they are made: no write-back is needed to
/// survive `kill -9` (a power cut takes the instances with it anyway). The descriptor stays open
/// for the daemon's life (a refused `fom upgrade` hands it back to the previous binary).
final class CaptureJournal {
    let fd: Int32
    private let mapping: SharedMapping
    private var used: [Bool]
    /// No entry below this one is free: where the search for a free entry starts. A storm of
    /// 1,000 restarts otherwise searched from the first entry for every spawn.
    private var firstMaybeFree = 0
    private static let entryBytes = CaptureSlot.words * 8
    /// A test setting, `FOM_TEST_CRASH=take:N` or `write:N`: the daemon kills itself (SIGKILL)
    /// right after its Nth splice from a pipe (taken, not written yet), or right after its Nth
    /// write to a log (written, not committed yet): the two moments a crash can fall between.
    var crashAfterTake: Int?
    var crashBeforeCommit: Int?

    func setCrashPoint(_ setting: String?) {
        guard let setting, let colon = setting.firstIndex(of: ":"),
            let n = Int(setting[setting.index(after: colon)...]), n > 0
        else { return }
        switch setting[..<colon] {
        case "take": crashAfterTake = n
        case "write": crashBeforeCommit = n
        default: break
        }
    }

    /// Counts down a crash point; at zero the daemon dies as `kill -9` would kill it.
    func countDown(_ counter: inout Int?) {
        guard let n = counter else { return }
        counter = n - 1
        if n == 1 { Signals.killSelf() }
    }

    /// A new, empty table.
    static func create() throws(SystemError) -> CaptureJournal {
        let fd = try Spool.create(named: "fom-capture-journal")
        do {
            return try CaptureJournal(fd: fd, minimumSlots: 256)
        } catch {
            FileDescriptor.close(fd)
            throw error
        }
    }

    /// The table in `fd` (new, or taken back from the holder or handed over by `fom upgrade`).
    init(fd: Int32, minimumSlots: Int = 0) throws(SystemError) {
        self.fd = fd
        let size = Int(Spool.end(fd) ?? 0)
        mapping = try SharedMapping(fd: fd, length: max(size, minimumSlots * Self.entryBytes, Self.entryBytes))
        used = Array(repeating: false, count: mapping.length / Self.entryBytes)
    }

    var capacity: Int { used.count }

    /// A free entry, zeroed; the table doubles when it is full. Nil when it cannot grow.
    func allocate() -> Int32? {
        if let free = used[firstMaybeFree...].firstIndex(of: false) {
            used[free] = true
            firstMaybeFree = free + 1
            self[Int32(free)] = CaptureSlot()
            return Int32(free)
        }
        let old = used.count
        do {
            try mapping.map(old * 2 * Self.entryBytes)
        } catch {
            return nil
        }
        used += Array(repeating: false, count: mapping.length / Self.entryBytes - old)
        return allocate()
    }

    /// An entry in use by a stream taken back from the holder or handed over.
    func claim(_ slot: Int32) -> Bool {
        guard slot >= 0, Int(slot) < used.count, !used[Int(slot)] else { return false }
        used[Int(slot)] = true
        return true
    }

    func release(_ slot: Int32) {
        guard slot >= 0, Int(slot) < used.count else { return }
        used[Int(slot)] = false
        firstMaybeFree = min(firstMaybeFree, Int(slot))
    }

    private func words(_ slot: Int32) -> UnsafeMutablePointer<Int64> {
        mapping.base!.assumingMemoryBound(to: Int64.self) + Int(slot) * CaptureSlot.words
    }

    subscript(slot: Int32) -> CaptureSlot {
        get {
            let w = words(slot)
            return CaptureSlot(processed: w[0], armedEnd: w[1], logInode: w[2], logSizeBefore: w[3], logLength: w[4])
        }
        set {
            let w = words(slot)
            w[2] = newValue.logInode
            w[3] = newValue.logSizeBefore
            w[4] = newValue.logLength
            SharedMapping.storeRelease(w, newValue.processed)
            SharedMapping.storeRelease(w + 1, newValue.armedEnd)
        }
    }

    func processed(_ slot: Int32) -> Int64 { words(slot)[0] }

    /// Before a write of `length` bytes to the log (inode, size before it) that covers the
    /// stream's spool up to `end`. `armedEnd` is stored last: it is what makes the entry armed.
    func arm(_ slot: Int32, end: Int64, logInode: Int64, logSizeBefore: Int64, length: Int64) {
        let w = words(slot)
        w[2] = logInode
        w[3] = logSizeBefore
        w[4] = length
        SharedMapping.storeRelease(w + 1, end)
    }

    /// After the write (landed or dropped for a full disk): the spool is done up to `armedEnd`.
    func commit(_ slot: Int32) {
        countDown(&crashBeforeCommit)
        let w = words(slot)
        SharedMapping.storeRelease(w, w[1])
    }

    /// Moves `processed` on with nothing written (bytes a closed log could not take).
    /// Armed with no log (inode -1): a kill before the commit writes the bytes after all.
    func skip(_ slot: Int32, to end: Int64) {
        arm(slot, end: end, logInode: -1, logSizeBefore: 0, length: 0)
        commit(slot)
    }
}
