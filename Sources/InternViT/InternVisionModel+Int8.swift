import NN

extension InternVisionModel {
    /// Runs the four linear layers of every encoder block (`attn.qkv`, `attn.proj`,
    /// `mlp.fc1`, `mlp.fc2`) on the int8 integer dot-product GEMM from now on (issue 16):
    /// weights quantised once per output channel, activations per token on every call.
    /// Patch embedding, attention softmax, norms, GELU, layer scale and residuals stay
    /// float32. Call after the weights are loaded.
    public func quantiseLinearLayersToInt8() {
        for layer in encoder.layers {
            layer.attn.attention.qkv?.quantiseToInt8()
            layer.attn.attention.query?.quantiseToInt8()
            layer.attn.attention.key?.quantiseToInt8()
            layer.attn.attention.value?.quantiseToInt8()
            layer.attn.attention.proj.quantiseToInt8()
            layer.mlp.mlp.fc1.quantiseToInt8()
            layer.mlp.mlp.fc2.quantiseToInt8()
        }
    }
}
