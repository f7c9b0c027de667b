import Foundation
import InternViT
import NN
import Tensor
import Testing

/// The model against the reference forward (Scripts/make_internvit_fixtures.py) on
/// checkpoints in the exact official layouts.
@Suite struct InternVisionModelTests {
    static let flavours = ["internvit-tiny300m", "internvit-tiny6b"]

    @Test(arguments: flavours)
    func matchesReferenceAtEveryResolution(_ checkpoint: String) throws {
        let model = try InternViTCheckpoint.load(InternViTFixtures.checkpoint(checkpoint))
        #expect(model.namedParameters().allSatisfy { $0.weight.dtype == .bfloat16 }, "bf16 weights stay bf16")
        for name in InternViTFixtures.cases {
            let key = "\(checkpoint)_\(name)"
            let output = model.forward(try InternViTFixtures.array(key + "_pixels"), outputHiddenStates: true)
            expectMatchesReference(output.lastHiddenState, try InternViTFixtures.array(key + "_last_hidden_state"), key)
            expectMatchesReference(output.poolerOutput, try InternViTFixtures.array(key + "_pooler_output"), key + " pooler")
            expectMatchesReference(output.meanPooledPatchTokens, try InternViTFixtures.array(key + "_mean_pooled"), key + " mean")
            let states = try #require(output.hiddenStates)
            let expected = try InternViTFixtures.array(key + "_hidden_states")
            #expect(states.count == expected.shape[0])
            for (index, state) in states.enumerated() {
                expectMatchesReference(state, expected.selecting(axis: 0, index: index).contiguous(), "\(key) hidden state \(index)")
            }
        }
    }

    @Test(arguments: flavours)
    func attentionProbabilitiesOfALayer(_ checkpoint: String) throws {
        let model = try InternViTCheckpoint.load(InternViTFixtures.checkpoint(checkpoint))
        let key = "\(checkpoint)_native"
        let output = model.forward(try InternViTFixtures.array(key + "_pixels"), attentionLayer: 1)
        expectMatchesReference(try #require(output.attention), try InternViTFixtures.array(key + "_attentions_layer1"), key)
        // -1 counts from the end: the same layer in a 2-layer model.
        let fromEnd = model.forward(try InternViTFixtures.array(key + "_pixels"), attentionLayer: -1)
        #expect(fromEnd.attention?.scalars == output.attention?.scalars)
    }

    /// The same weights in an InternVL chat checkpoint (`vision_model.` prefix, nested
    /// config) and in transformers' "-hf" spelling load into the same model.
    @Test(arguments: ["internvl-chat-tiny", "internvit-tiny300m-hf"])
    func otherLayoutsLoadTheSameWeights(_ checkpoint: String) throws {
        let model = try InternViTCheckpoint.load(InternViTFixtures.checkpoint(checkpoint))
        let original = try InternViTCheckpoint.load(InternViTFixtures.checkpoint("internvit-tiny300m"))
        for ((path, weight), (originalPath, originalWeight)) in zip(model.namedParameters(), original.namedParameters()) {
            #expect(path == originalPath)
            #expect(weight.float.scalars == originalWeight.float.scalars, "\(path)")
        }
        let key = "internvit-tiny300m_wide"
        expectMatchesReference(model(try InternViTFixtures.array(key + "_pixels")),
                               try InternViTFixtures.array(key + "_last_hidden_state"), checkpoint)
    }

    @Test func layoutDetection() throws {
        #expect(try InternViTCheckpoint.detectLayout(Checkpoint.open(InternViTFixtures.checkpoint("internvl-chat-tiny")))
                == .original(prefix: "vision_model"))
        #expect(try InternViTCheckpoint.detectLayout(Checkpoint.open(InternViTFixtures.checkpoint("internvit-tiny300m-hf")))
                == .transformers(prefix: "vision_tower."))
        #expect(try Checkpoint.open(InternViTFixtures.checkpoint("internvit-tiny6b")) is ShardedCheckpoint)
    }

    @Test func float32OnRequestGivesTheSameFeatures() throws {
        let model = try InternViTCheckpoint.load(InternViTFixtures.checkpoint("internvit-tiny300m"), precision: .float32)
        #expect(model.namedParameters().allSatisfy { $0.weight.dtype == .float32 })
        let key = "internvit-tiny300m_native"
        expectMatchesReference(model(try InternViTFixtures.array(key + "_pixels")),
                               try InternViTFixtures.array(key + "_last_hidden_state"), key)
    }

    /// `stopAfterLayer` returns that layer's output, equal to the hidden state.
    @Test func intermediateLayerOutput() throws {
        let model = try InternViTCheckpoint.load(InternViTFixtures.checkpoint("internvit-tiny6b"))
        let pixels = try InternViTFixtures.array("internvit-tiny6b_native_pixels")
        let full = model.forward(pixels, outputHiddenStates: true)
        let early = model.forward(pixels, stopAfterLayer: 0)
        #expect(early.lastHiddenState.scalars == full.hiddenStates?[1].scalars)
        #expect(model.forward(pixels, stopAfterLayer: -2).lastHiddenState.scalars == early.lastHiddenState.scalars)
    }

    @Test func positionEmbeddingsAreTheStoredTableAtNativeSize() throws {
        let model = try InternViTCheckpoint.load(InternViTFixtures.checkpoint("internvit-tiny300m"))
        let native = model.embeddings.positionEmbeddings(height: 4, width: 4)
        #expect(native.scalars == model.embeddings.positionEmbedding.float.scalars)
        // Bicubic resampling to the same size is the identity (as in PyTorch).
        let grid = model.embeddings.positionEmbedding.float.sliced(axis: 1, 1..<17).reshaped([1, 4, 4, 64]).permuted(0, 3, 1, 2)
        #expect(grid.bicubicResized(height: 4, width: 4).scalars == grid.contiguous().scalars)
    }
}
