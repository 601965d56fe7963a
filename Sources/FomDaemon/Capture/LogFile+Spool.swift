import FomCore
import SystemKit

/// One captured stream's spool: the anonymous file its pipe is spliced into, and its entry in
/// the capture journal. Bytes the instance printed are always somewhere that outlives the
/// daemon: in the pipe, in the spool (both held by the descriptor holder), or in the log; a
/// partial line waits in the spool, not in the daemon's memory.
struct StreamSpool {
    let fd: Int32
    let slot: Int32
    /// Every byte taken from the pipe so far (the spool's size).
    var end: Int64
    /// No newline in the spool between `processed` and here.
    var scanned: Int64 = 0
    /// The spool is freed (a hole) up to here.
    var freed: Int64 = 0

    /// Each whole page the log has is given back to the kernel (a hole in the spool): a
    /// thousand quiet instances then hold a page each at most, not a stretch each.
    static let freeEvery: Int64 = 4096
    /// What one wake-up takes from a pipe at most (its whole size): a flooding child still
    /// cannot starve the others, and a chatty one costs fewer system calls per byte.
    static let takeAtOnce = 1 << 20
}

extension LogFile {
    /// Writes the whole lines waiting in the spool; with `final` (the pipe ended), the rest too,
    /// as a line of its own. A line longer than `maxPartial` is written in pieces, as without a
    /// spool. `buffer` is the daemon's read buffer.
    func drain(
        _ spool: inout StreamSpool, journal: CaptureJournal, buffer: UnsafeMutableRawBufferPointer, final: Bool
    ) {
        while true {
            let processed = journal.processed(spool.slot)
            let from = max(spool.scanned, processed)
            guard from < spool.end else { break }
            let got = Spool.read(
                spool.fd, into: buffer.baseAddress!, count: Int(min(spool.end - from, Int64(buffer.count))), at: from)
            guard got > 0 else { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            if let newline = Self.lastNewline(in: chunk) {
                let upTo = from + Int64(newline) + 1
                if processed == from {
                    writeLines(
                        UnsafeRawBufferPointer(rebasing: chunk[...newline]),
                        cursor: SpoolCursor(journal: journal, slot: spool.slot, start: processed))
                } else {
                    writeSpooled(spool, journal: journal, from: processed, to: upTo, closeLastLine: false)
                }
                spool.scanned = upTo
            } else {
                spool.scanned = from + Int64(got)
                if spool.scanned - processed >= Self.maxPartial {
                    writeSpooled(spool, journal: journal, from: processed, to: spool.scanned, closeLastLine: true)
                }
            }
        }
        let processed = journal.processed(spool.slot)
        if final && processed < spool.end {
            writeSpooled(spool, journal: journal, from: processed, to: spool.end, closeLastLine: true)
        }
        let done = journal.processed(spool.slot) & ~4095
        if done - spool.freed >= StreamSpool.freeEvery {
            Spool.free(spool.fd, from: spool.freed, length: done - spool.freed)
            spool.freed = done
        }
    }

    /// Writes `[from, to)` of the spool, read into a buffer of its own (a line that began in an
    /// earlier read).
    private func writeSpooled(
        _ spool: StreamSpool, journal: CaptureJournal, from: Int64, to: Int64, closeLastLine: Bool
    ) {
        let bytes = Spool.bytes(spool.fd, from: from, to: to)
        guard bytes.count == to - from else { return }
        bytes.withUnsafeBytes {
            writeLines(
                $0, closeLastLine: closeLastLine, cursor: SpoolCursor(journal: journal, slot: spool.slot, start: from))
        }
    }
}
