import Glibc

/// A file opened for reading by a follower (`fom logs -f`): it owns its descriptor, remembers
/// which inode it holds (so a rotation, which renames the file away, is noticed), and reads on
/// from where it stopped.
public final class ReadableFile {
    let fd: Int32
    /// The inode of the open file, to compare with what the path names now.
    public let inode: UInt64

    /// Opens `path` for reading; nil when it does not exist or cannot be opened.
    public init?(path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            Glibc.close(fd)
            return nil
        }
        self.fd = fd
        inode = UInt64(st.st_ino)
    }

    deinit { Glibc.close(fd) }

    /// Everything from the current offset to the end of the file as it is now.
    public func readToEnd() -> [UInt8] {
        var result: [UInt8] = []
        while let chunk = try? FileDescriptor.read(fd, max: 1 << 20), !chunk.isEmpty {
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// The file is shorter than what was read of it: it was emptied (`fom flush`) meanwhile.
    public var wasTruncated: Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && lseek(fd, 0, SEEK_CUR) > st.st_size
    }

    /// Back to the start, to read an emptied file again from its beginning.
    public func rewind() { lseek(fd, 0, SEEK_SET) }
}

extension Files {
    /// The inode `path` names now; nil when nothing is there.
    public static func inode(of path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    /// Empties a file in place (those who have it open keep it); false when that failed.
    @discardableResult
    public static func truncate(_ path: String) -> Bool { Glibc.truncate(path, 0) == 0 }

    /// Removes a file; false when it was not there or could not be removed.
    @discardableResult
    public static func remove(_ path: String) -> Bool { unlink(path) == 0 }
}
