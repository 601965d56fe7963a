import CSystem
import Glibc

/// epoll, level-triggered, with a 64-bit token per descriptor. The loop sleeps until a
/// descriptor is ready or the next deadline; with no deadline it sleeps forever.
public struct EventPoll: ~Copyable {
    public let fd: Int32
    public struct Event {
        public let token: UInt64; public let readable: Bool; public let writable: Bool; public let hangup: Bool
    }

    public static let inFlags = csys_epollin()
    public static let outFlags = csys_epollout()

    public init() throws(SystemError) {
        fd = csys_epoll_create()
        if fd < 0 { throw SystemError("epoll_create1") }
    }

    deinit { Glibc.close(fd) }

    public func add(_ target: Int32, token: UInt64, writable: Bool = false) {
        _ = csys_epoll_add(fd, target, writable ? csys_epollout() : csys_epollin(), token)
    }

    public func modify(_ target: Int32, token: UInt64, readable: Bool, writable: Bool) {
        var events: UInt32 = 0
        if readable { events |= csys_epollin() }
        if writable { events |= csys_epollout() }
        _ = csys_epoll_mod(fd, target, events, token)
    }

    public func remove(_ target: Int32) { _ = csys_epoll_del(fd, target) }

    /// Waits up to `timeoutMs` (-1: forever).
    public func wait(timeoutMs: Int32) -> [Event] {
        var events = [UInt32](repeating: 0, count: 64)
        var data = [UInt64](repeating: 0, count: 64)
        let n = csys_epoll_wait(fd, &events, &data, 64, timeoutMs)
        if n <= 0 { return [] }
        let hup = csys_epollhup() | csys_epollerr()
        return (0..<Int(n)).map {
            Event(
                token: data[$0], readable: events[$0] & csys_epollin() != 0,
                writable: events[$0] & csys_epollout() != 0, hangup: events[$0] & hup != 0)
        }
    }
}
