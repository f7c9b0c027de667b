/// Straightforward matrix multiplication: the correctness oracle for faster kernels.
enum MatmulKernels {
    /// `C[b] = A[b]·B[b]` for dense row-major `A [batch, m, k]`, `B [batch, k, n]`,
    /// `C [batch, m, n]`. The i-k-j loop order streams rows of B and C, so the inner
    /// loop is a vectorised axpy; accumulation is in k order, in `Float`.
    static func reference(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        batch: Int, m: Int, n: Int, k: Int, into c: UnsafeMutablePointer<Float>
    ) {
        parallelFor(batch * m, grain: Swift.max(1, Grain.cheap / Swift.max(n * Swift.max(k, 1), 1))) { rows in
            for row in rows {
                let bi = row / Swift.max(m, 1), i = row % Swift.max(m, 1)
                let cRow = c + row * n
                cRow.update(repeating: 0, count: n)
                let aRow = a + (bi * m + i) * k
                let bMatrix = b + bi * k * n
                for p in 0..<k {
                    let scale = aRow[p]
                    let vscale = Vector(repeating: scale)
                    let bRow = bMatrix + p * n
                    var j = 0
                    while j + vectorWidth <= n {
                        storeVector(loadVector(cRow + j).addingProduct(vscale, loadVector(bRow + j)), cRow + j)
                        j += vectorWidth
                    }
                    while j < n { cRow[j] = cRow[j].addingProduct(scale, bRow[j]); j += 1 }
                }
            }
        }
    }
}
