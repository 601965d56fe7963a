import CSystem

/// The process's own heap (glibc malloc).
public enum Heap {
    /// Bytes freed and kept by malloc for reuse.
    public static var freeBytes: Int { Int(csys_heap_free_bytes()) }

    /// Gives freed pages back to the kernel (malloc_trim): resident memory drops to what is in use.
    public static func trim() { csys_heap_trim() }

    /// The end of the main heap (the program break). It moves up only when malloc had to grow the
    /// heap, and down only when a trim gave its top back: reading it costs no system call.
    public static var top: UInt { UInt(csys_heap_top()) }
}
