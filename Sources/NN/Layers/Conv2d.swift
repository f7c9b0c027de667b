import Tensor

/// 2-D convolution over `[B, C, H, W]` images, as `torch.nn.Conv2d` (groups = 1).
///
/// Parameters: `weight` `[out, in, kh, kw]`, `bias` `[out]` (optional). Computed as one
/// GEMM over image patches (im2col). When kernel == stride and there is no padding — the
/// patch embedding of every ViT — the patches do not overlap and im2col is a pure
/// reshuffle of the input; `patchTokens` then returns the `[B, patches, out]` token layout
/// a transformer wants without going through NCHW.
public final class Conv2d: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public var weight: Weight
    public var bias: Weight?

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), bias: Bool = true) {
        precondition(kernelSize.0 > 0 && kernelSize.1 > 0 && stride.0 > 0 && stride.1 > 0
                     && padding.0 >= 0 && padding.1 >= 0, "invalid Conv2d geometry")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        weight = .declared(shape: [outChannels, inChannels, kernelSize.0, kernelSize.1])
        self.bias = bias ? .declared(shape: [outChannels]) : nil
    }

    /// A square kernel of size `kernel`, stride `stride`, padding `padding`.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                            bias: Bool = true) {
        self.init(inChannels, outChannels, kernelSize: (kernel, kernel), stride: (stride, stride),
                  padding: (padding, padding), bias: bias)
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit("weight", &weight)
        visitor.visit("bias", &bias)
    }

    public var summary: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernelSize.0), \(kernelSize.1)), "
            + "stride=(\(stride.0), \(stride.1))" + (padding == (0, 0) ? "" : ", padding=(\(padding.0), \(padding.1))")
    }

    /// Output height and width for an input of `height` × `width` (PyTorch's floor rule).
    public func outputSize(height: Int, width: Int) -> (Int, Int) {
        ((height + 2 * padding.0 - kernelSize.0) / stride.0 + 1, (width + 2 * padding.1 - kernelSize.1) / stride.1 + 1)
    }

    /// `[B, C, H, W] → [B, out, Ho, Wo]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        let (tokens, ho, wo) = convolvedRows(x)              // [B, Ho·Wo, out]
        return tokens.reshaped([x.shape[0], ho, wo, outChannels]).permuted(0, 3, 1, 2).contiguous()
    }

    /// `[B, C, H, W] → [B, Ho·Wo, out]`, patches in row-major order (what
    /// `conv(x).flatten(2).transpose(1, 2)` gives in PyTorch), skipping the NCHW detour.
    public func patchTokens(_ x: Tensor<Float>) -> Tensor<Float> { convolvedRows(x).rows }

    private func convolvedRows(_ x: Tensor<Float>) -> (rows: Tensor<Float>, ho: Int, wo: Int) {
        precondition(x.rank == 4 && x.shape[1] == inChannels,
                     "Conv2d(\(inChannels)→\(outChannels)) input must be [B, \(inChannels), H, W], got \(x.shape)")
        let (b, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let (ho, wo) = outputSize(height: h, width: w)
        precondition(ho > 0 && wo > 0, "Conv2d input \(x.shape) is smaller than the kernel \(kernelSize)")
        let (kh, kw) = kernelSize
        let patches: Tensor<Float>                          // [B·Ho·Wo, C·kh·kw]
        if kernelSize == stride && padding == (0, 0) {
            // Non-overlapping patches: crop to whole patches, then reorder
            // [B, C, Ho, kh, Wo, kw] → [B, Ho, Wo, C, kh, kw].
            patches = x.sliced(axis: 2, 0..<(ho * kh)).sliced(axis: 3, 0..<(wo * kw))
                .reshaped([b, inChannels, ho, kh, wo, kw]).permuted(0, 2, 4, 1, 3, 5).contiguous()
                .reshaped([b * ho * wo, inChannels * kh * kw])
        } else {
            patches = im2col(x, ho: ho, wo: wo)
        }
        let flatWeight: Weight                              // [out, C·kh·kw]
        switch weight {
        case .declared(let shape): preconditionFailure("Conv2d weight of shape \(shape) used before it was loaded")
        case .float32(let t): flatWeight = .float32(t.reshaped([outChannels, -1]))
        case .bfloat16(let t): flatWeight = .bfloat16(t.reshaped([outChannels, -1]))
        case .float16(let t): flatWeight = .float16(t.reshaped([outChannels, -1]))
        case .int8: preconditionFailure("Conv2d weights are not quantised (only Linear layers are)")
        case .packed: preconditionFailure("Conv2d weights are not packed (only Linear layers are)")
        }
        let rows = patches.linear(weight: flatWeight, bias: bias)   // [B·Ho·Wo, out]
        return (rows.reshaped([b, ho * wo, outChannels]), ho, wo)
    }

    /// General patch extraction with stride and zero padding: `[B·Ho·Wo, C·kh·kw]`.
    private func im2col(_ x: Tensor<Float>, ho: Int, wo: Int) -> Tensor<Float> {
        let input = x.contiguous()
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw) = kernelSize
        let columns = c * kh * kw
        var result = Tensor<Float>.zeros([b * ho * wo, columns])
        input.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                parallelFor(b * ho * wo, grain: 64) { rows in
                    for row in rows {
                        let n = row / (ho * wo), oy = (row / wo) % ho, ox = row % wo
                        var column = 0
                        for ci in 0..<c {
                            for ky in 0..<kh {
                                let iy = oy * stride.0 - padding.0 + ky
                                for kx in 0..<kw {
                                    let ix = ox * stride.1 - padding.1 + kx
                                    if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                        d[row * columns + column] = s[((n * c + ci) * h + iy) * w + ix]
                                    }
                                    column += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
