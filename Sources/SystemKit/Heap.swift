import CSystem

/// The process's own heap (glibc malloc).
public enum Heap {
    /// Bytes freed and kept by malloc for reuse.
    public static var freeBytes: Int { Int(csys_heap_free_bytes()) }

    /// Gives freed pages back to the kernel (malloc_trim): resident memory drops to what is in use.
    public static func trim() { csys_heap_trim() }
}
