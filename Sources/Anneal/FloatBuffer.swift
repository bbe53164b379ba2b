/// A fixed-size, zero-initialised block of `Float`s that never moves or grows.
///
/// Parameters, gradients, velocities and training workspaces live in these, so the hot loops run over
/// plain contiguous pointers with no copy-on-write checks and no allocation after setup.
final class FloatBuffer {
    let count: Int
    let base: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = max(count, 0)
        base = UnsafeMutablePointer<Float>.allocate(capacity: max(self.count, 1))
        base.initialize(repeating: 0, count: max(self.count, 1))
    }

    deinit { base.deallocate() }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    func copy() -> FloatBuffer {
        let twin = FloatBuffer(count: count)
        twin.base.update(from: base, count: count)
        return twin
    }

    func zero() { base.update(repeating: 0, count: count) }
}
