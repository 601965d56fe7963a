import CSystem
import Glibc

/// The system calls of lossless log capture: an anonymous in-memory file (the spool) that takes
/// bytes out of a pipe with splice(2), so that bytes leave the pipe only by landing in the spool,
/// in one step a `kill -9` cannot split; reads from it by offset; and frees what is done with.
public enum Spool {
    /// A new, empty spool (close-on-exec: no child inherits it).
    public static func create(named name: String) throws(SystemError) -> Int32 {
        let fd = csys_memfd_create_cloexec(name)
        if fd < 0 { throw SystemError("memfd_create") }
        return fd
    }

    /// Moves up to `max` bytes from a non-blocking pipe to the spool at `end`, which advances by
    /// what moved.
    public static func take(from pipe: Int32, into spool: Int32, end: inout Int64, max: Int)
        -> FileDescriptor.ReadResult
    {
        while true {
            var offset = end
            let n = csys_splice_to_file(pipe, spool, &offset, max)
            if n > 0 {
                end = offset
                return .data(n)
            }
            if n == 0 { return .endOfFile }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .failed
        }
    }

    /// Reads `count` bytes at `offset` into `buffer`; the count read (less only at the end).
    public static func read(_ spool: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) -> Int {
        var done = 0
        while done < count {
            let n = pread(spool, buffer + done, count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            break
        }
        return done
    }

    /// The bytes `[from, to)` of the spool, in an array of their own (fewer at its end).
    public static func bytes(_ spool: Int32, from: Int64, to: Int64) -> [UInt8] {
        guard to > from else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(to - from))
        let got = bytes.withUnsafeMutableBytes { read(spool, into: $0.baseAddress!, count: $0.count, at: from) }
        bytes.removeLast(bytes.count - got)
        return bytes
    }

    /// The spool's size: every byte ever taken from its pipe.
    public static func end(_ spool: Int32) -> Int64? {
        var st = stat()
        guard fstat(spool, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// Frees `[offset, offset + length)` (already written to the log); the size stays.
    public static func free(_ spool: Int32, from offset: Int64, length: Int64) {
        guard length > 0 else { return }
        _ = csys_punch_hole(spool, offset, length)
    }
}

/// A file mapped shared and read-write: stores into it are in the file the moment they are
/// made, so they outlive a `kill -9` of this process (the file is held elsewhere too).
public final class SharedMapping {
    public let fd: Int32
    public private(set) var base: UnsafeMutableRawPointer?
    public private(set) var length = 0

    /// Maps `fd`, first growing the file to `length` bytes when it is shorter.
    public init(fd: Int32, length: Int) throws(SystemError) {
        self.fd = fd
        try map(length)
    }

    /// Grows the file and the mapping to `length` bytes (what was stored stays).
    public func map(_ newLength: Int) throws(SystemError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("fstat") }
        let size = max(Int(st.st_size), newLength)
        if Int(st.st_size) < size, ftruncate(fd, off_t(size)) != 0 { throw SystemError("ftruncate") }
        guard let p = csys_map_shared(fd, size) else { throw SystemError("mmap") }
        if let base { munmap(base, length) }
        base = p
        length = size
    }

    deinit { if let base { munmap(base, length) } }

    /// A store that no earlier store is moved after (by the compiler or the CPU): a record whose
    /// last word makes it valid is never seen valid with older words in it, even by a reader that
    /// comes after a `kill -9` between two instructions.
    public static func storeRelease(_ address: UnsafeMutablePointer<Int64>, _ value: Int64) {
        csys_store_release(address, value)
    }
}
