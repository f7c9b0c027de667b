/// Splitting a tensor into views along one axis (PyTorch's `split` / `chunk`).
extension Tensor {
    /// Views of consecutive pieces of `axis` with the given extents, which must add up
    /// to the axis's extent: `x.split(sizes: [D, D, D], axis: -1)` cuts a fused
    /// `[B, N, 3D]` projection into q, k and v `[B, N, D]` (`torch.split(x, [D, D, D], -1)`).
    /// The pieces share storage with `self` (no copy).
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let a = normalizedAxis(axis)
        precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[a],
                     "split sizes \(sizes) do not add up to extent \(shape[a]) of axis \(axis) in \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(axis: a, start..<(start + size))
        }
    }

    /// Views of `size` elements each along `axis`; the last one is shorter when the
    /// extent is not a multiple (`torch.split(x, size, axis)`).
    public func split(size: Int, axis: Int) -> [Tensor] {
        precondition(size > 0, "split size must be positive, got \(size)")
        let extent = shape[normalizedAxis(axis)]
        let sizes = stride(from: 0, to: extent, by: size).map { Swift.min(size, extent - $0) }
        return split(sizes: sizes, axis: axis)
    }

    /// At most `count` views of equal extent `⌈n / count⌉` along `axis`, the last one
    /// possibly shorter, as `torch.chunk` (which may return fewer than `count` pieces:
    /// 5 rows in 4 chunks give pieces of 2, 2 and 1).
    public func chunked(_ count: Int, axis: Int) -> [Tensor] {
        precondition(count > 0, "chunk count must be positive, got \(count)")
        let extent = shape[normalizedAxis(axis)]
        return split(size: Swift.max(1, (extent + count - 1) / count), axis: axis)
    }
}
