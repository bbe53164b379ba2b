#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// A fixed-size, zero-initialised block of `Float`s that never moves or grows.
///
/// Parameters, gradients, velocities and training workspaces live in these, so the hot loops run over
/// plain contiguous pointers with no copy-on-write checks and no allocation after setup.
///
/// Their sizes come from a caller's numbers (units, input width, batch size), so the memory is asked of
/// `calloc`, which answers NULL for a size it cannot give, rather than of Swift's allocator, which ends the
/// process: a layer too big for the machine is an `AnnealError.outOfMemory`, never a crash. (calloc rather
/// than an aligned allocation and a memset: a big block comes as fresh zero pages, touched only when used.)
final class FloatBuffer {
    /// Bytes the first float is aligned to: a cache line, so that the kernels' full-width vectors (64 bytes at
    /// AVX-512) stepping from the start of a buffer never straddle two lines, as every one of them would from a
    /// start 16, 32 or 48 bytes into a line (calloc promises 16).
    static let alignment = 64
    let count: Int
    let base: UnsafeMutablePointer<Float>
    /// What calloc returned: `base` is its first address on an `alignment` boundary.
    private let allocation: UnsafeMutableRawPointer
    /// Counts the changes of the contents: each copy into the buffer (`update`, `zero`) and each `markChanged`
    /// of a writer through `base`. A copy of the contents kept elsewhere (a packed kernel) is current while
    /// the version it was made at is.
    private(set) var version: UInt64 = 0

    /// Records a change written through `base`.
    func markChanged() { version &+= 1 }

    /// `count` zeros; throws `AnnealError.outOfMemory`, its message naming `what` ("the inputs for a batch
    /// of 128 rows"), when `count * 4` bytes overflow or cannot be allocated.
    init(count: Int, for what: @autoclosure () -> String) throws {
        self.count = max(count, 0)
        let bytes = try ByteCount.of(self.count, MemoryLayout<Float>.stride, what())
        let padded = try ByteCount.sum(max(bytes, MemoryLayout<Float>.stride), Self.alignment - 1, what())
        guard let memory = calloc(padded, 1) else {
            throw AnnealError.outOfMemory("could not allocate \(bytes) bytes for \(what())")
        }
        allocation = memory
        base = memory.alignedUp(toMultipleOf: Self.alignment).bindMemory(to: Float.self, capacity: max(self.count, 1))
    }

    deinit { free(allocation) }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    func copy(for what: @autoclosure () -> String) throws -> FloatBuffer {
        let twin = try FloatBuffer(count: count, for: what())
        twin.base.update(from: base, count: count)
        return twin
    }

    func zero() {
        base.update(repeating: 0, count: count)
        markChanged()
    }

    /// Copies `values` into the buffer from index `offset` (the caller has checked that they fit).
    func update(at offset: Int = 0, from values: [Float]) {
        values.withUnsafeBufferPointer { source in
            if let first = source.baseAddress { (base + offset).update(from: first, count: source.count) }
        }
        markChanged()
    }
}

/// Sizes in elements and bytes computed from a caller's numbers, with every product and sum checked: an
/// overflow is a request no machine can meet, reported as `AnnealError.outOfMemory` naming it.
enum ByteCount {
    /// `count * stride` bytes, or `outOfMemory` when it overflows.
    static func of(_ count: Int, _ stride: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
        guard !overflow else {
            throw AnnealError.outOfMemory("\(what()): \(count) elements of \(stride) bytes, more bytes than an address can count")
        }
        return bytes
    }

    /// `a * b` elements, or `outOfMemory` naming the two factors when it overflows.
    static func product(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (count, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else {
            throw AnnealError.outOfMemory("\(what()): \(a) x \(b) elements, more than an address can count")
        }
        return count
    }

    /// `a + b` elements, or `outOfMemory` when it overflows.
    static func sum(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (total, overflow) = a.addingReportingOverflow(b)
        guard !overflow else {
            throw AnnealError.outOfMemory("\(what()): more elements than an address can count")
        }
        return total
    }

    /// Whether `bytes` can be allocated now: asked of `malloc` and given back at once. For the Swift arrays
    /// sized by a caller (copies of its data, results), whose own allocation would end the process when
    /// refused: the same request refused here is a status instead.
    static func probe(_ bytes: Int, _ what: @autoclosure () -> String) throws {
        guard let memory = malloc(max(bytes, 1)) else {
            throw AnnealError.outOfMemory("could not allocate \(bytes) bytes for \(what())")
        }
        free(memory)
    }
}
