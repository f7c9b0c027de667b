"""Writes Tests/ExamplesTests/Fixtures/vit-train/step.safetensors: one training step of a
tiny DigitsClassifier (InternViT width 8, 2 heads, 2 layers, MLP 16, patch 2 on 8x8x3
images, layer scale, Linear head on the class token) in PyTorch: the weights (under the
Swift module's paths, `vision_model.*` and `head.*`), a batch of 4 images and labels,
the label-smoothed (0.1) cross-entropy, and torch.autograd's gradient of every weight
(`grad.<path>`). The Swift test runs the same step on the tape and compares.

Run: /work/venv/bin/python Scripts/make_vit_train_fixtures.py (torch, safetensors pinned)."""
import math
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(3)
D, H, DEPTH, HIDDEN = 8, 2, 2, 16


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(D, eps=1e-6), nn.LayerNorm(D, eps=1e-6)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.fc1, self.fc2 = nn.Linear(D, HIDDEN), nn.Linear(HIDDEN, D)
        self.ls1, self.ls2 = nn.Parameter(torch.rand(D) + 0.5), nn.Parameter(torch.rand(D) + 0.5)

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, H, D // H).permute(2, 0, 3, 1, 4)
        attended = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(D // H), dim=-1) @ v
        x = x + self.proj(attended.permute(0, 2, 1, 3).reshape(b, n, D)) * self.ls1
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x)))) * self.ls2


patch = nn.Conv2d(3, D, 2, stride=2)
cls = nn.Parameter(torch.randn(1, 1, D) * 0.5)
pos = nn.Parameter(torch.randn(1, 17, D) * 0.5)
layers = nn.ModuleList(Layer() for _ in range(DEPTH))
head = nn.Linear(D, 10)
for module in [patch, head, *layers]:
    for p in module.parameters():
        if p.dim() == 1 and not isinstance(module, Layer):
            nn.init.normal_(p, std=0.3)
for layer in layers:
    for m in layer.modules():
        if isinstance(m, (nn.Linear, nn.LayerNorm)):
            nn.init.normal_(m.weight, mean=1.0 if isinstance(m, nn.LayerNorm) else 0.0, std=0.3)
            nn.init.normal_(m.bias, std=0.3)

images = torch.rand(4, 3, 8, 8)
labels = torch.tensor([3, 0, 9, 3])
x = patch(images).flatten(2).transpose(1, 2)
x = torch.cat([cls.expand(4, -1, -1), x], dim=1) + pos
for layer in layers:
    x = layer(x)
logits = head(x[:, 0])
loss = F.cross_entropy(logits, labels, label_smoothing=0.1)
loss.backward()

named = {
    "vision_model.embeddings.class_embedding": cls,
    "vision_model.embeddings.patch_embedding.weight": patch.weight,
    "vision_model.embeddings.patch_embedding.bias": patch.bias,
    "vision_model.embeddings.position_embedding": pos,
    "head.weight": head.weight,
    "head.bias": head.bias,
}
for i, layer in enumerate(layers):
    p = f"vision_model.encoder.layers.{i}."
    for ours, theirs in [("norm1", layer.norm1), ("attn.qkv", layer.qkv), ("attn.proj", layer.proj),
                         ("norm2", layer.norm2), ("mlp.fc1", layer.fc1), ("mlp.fc2", layer.fc2)]:
        named[p + ours + ".weight"] = theirs.weight
        named[p + ours + ".bias"] = theirs.bias
    named[p + "ls1"], named[p + "ls2"] = layer.ls1, layer.ls2

tensors = {"images": images, "labels": labels.float(), "loss": loss.detach().reshape(1), "logits": logits.detach()}
for name, parameter in named.items():
    tensors[name] = parameter.detach().contiguous()
    tensors["grad." + name] = parameter.grad.contiguous()
path = Path(__file__).resolve().parent.parent / "Tests/ExamplesTests/Fixtures/vit-train/step.safetensors"
save_file(tensors, str(path))
print(f"wrote {len(named)} parameters and their gradients to {path}")
