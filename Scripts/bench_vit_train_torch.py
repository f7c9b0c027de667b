"""PyTorch twin of Examples/ViTTraining (vit-train): the same toy InternViT and recipe.

Model (InternViT's structure at toy size, as vit-train's `InternVisionConfig` describes it):
8x8 digits replicated to 3 channels, patch embedding Conv2d(3, D, 2, stride 2) -> 16
patches, class token, 17 position embeddings, DEPTH pre-norm layers (LayerNorm eps 1e-6,
attention with qkv bias, layer scale ls1, LayerNorm, GELU MLP 4D, layer scale ls2, drop
path rising linearly to DROP_PATH), no final norm (like InternViT); a Linear head on the
class token. Defaults: D 96, 6 heads, depth 4.
Initialisation: trunc-normal(0.02, cut at +-2 std) for Linear/Conv weights and the
embeddings, zero biases, norm weights 1, layer scales LAYER_SCALE (1).
Recipe: inputs pixel/16; each training image under a random affine map (rotation +-10
degrees, scale +-10 %, shift +-1 px, bilinear, zero fill); AdamW (lr 2e-3, wd 0.05), batch
64, 5 warmup epochs then cosine to 1e-5, grad clip 1.0, cross-entropy with label smoothing
0.1, 200 epochs; held-out accuracy measured on an exponential moving average of the
weights (decay min(0.998, (1+t)/(10+t))). Rows 0..1436 train, 1437..1796 held out.

Run: /work/venv/bin/python Scripts/bench_vit_train_torch.py "$(Scripts/fetch_digits.sh)" [--epochs N] [--seed S]
     [--threads T] [--width D --heads H --depth L --lr X --wd X --drop-path X --smoothing X
      --rotate DEG --scale X --shift PX --average-decay X]
Prints per-epoch held-out accuracy and seconds per epoch for the side-by-side benchmark.
"""
import gzip
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def option(name, default, kind=float):
    return kind(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


torch.set_num_threads(option("--threads", 2, int))
EPOCHS = option("--epochs", 200, int)
torch.manual_seed(option("--seed", 0, int))
D = option("--width", 96, int)
DEPTH = option("--depth", 4, int)
H = option("--heads", 6, int)
HIDDEN = option("--mlp", 4 * D, int)
LR = option("--lr", 2e-3)
WD = option("--wd", 0.05)
DROP_PATH = option("--drop-path", 0.1)
SMOOTHING = option("--smoothing", 0.1)
LAYER_SCALE = option("--layer-scale", 1.0)
SHIFT = option("--shift", 1.0)
ROTATE = option("--rotate", 10.0)
SCALE = option("--scale", 0.1)
BATCH = option("--batch", 64, int)
WARMUP = option("--warmup", 5, int)
AVERAGE_DECAY = option("--average-decay", 0.998)


path = sys.argv[1]
rows = np.loadtxt(gzip.open(path, "rt"), delimiter=",", dtype=np.float32)
pixels = torch.from_numpy(rows[:, :64] / 16).reshape(-1, 1, 8, 8).expand(-1, 3, -1, -1).contiguous()
labels = torch.from_numpy(rows[:, 64].astype(np.int64))
train_x, train_y, test_x, test_y = pixels[:1437], labels[:1437], pixels[1437:], labels[1437:]


def augmented(images):
    """Each image under its own random affine map (the same maths as vit-train's
    `DigitsAugmentation`): rotation by U(-ROTATE, ROTATE) degrees and scaling by
    U(1 - SCALE, 1 + SCALE) about the centre (3.5, 3.5), then a shift by U(-SHIFT, SHIFT)
    pixels in x and y; bilinear sampling, zero outside the image."""
    b = images.shape[0]
    if ROTATE == 0 and SCALE == 0 and SHIFT == 0:
        return images
    angle = (torch.rand(b) * 2 - 1) * ROTATE * math.pi / 180
    scale = 1 + (torch.rand(b) * 2 - 1) * SCALE
    tx, ty = (torch.rand(b) * 2 - 1) * SHIFT, (torch.rand(b) * 2 - 1) * SHIFT
    grid = torch.arange(8, dtype=torch.float32) - 3.5
    ox, oy = grid[None, None, :] - tx[:, None, None], grid[None, :, None] - ty[:, None, None]   # [B, 8, 8]
    cos, sin = (torch.cos(angle) / scale)[:, None, None], (torch.sin(angle) / scale)[:, None, None]
    sx, sy = cos * ox + sin * oy + 3.5, -sin * ox + cos * oy + 3.5                               # source coords
    x0, y0 = torch.floor(sx), torch.floor(sy)
    fx, fy = sx - x0, sy - y0
    flat = images[:, 0].reshape(b, 64)
    out = torch.zeros(b, 8, 8)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            xi, yi = (x0 + dx).long(), (y0 + dy).long()
            inside = (xi >= 0) & (xi < 8) & (yi >= 0) & (yi < 8)
            index = (yi.clamp(0, 7) * 8 + xi.clamp(0, 7)).reshape(b, 64)
            out += torch.gather(flat, 1, index).reshape(b, 8, 8) * wx * wy * inside
    return out[:, None].expand(-1, 3, -1, -1)


class Layer(nn.Module):
    def __init__(self, drop_path):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(D, eps=1e-6), nn.LayerNorm(D, eps=1e-6)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.fc1, self.fc2 = nn.Linear(D, HIDDEN), nn.Linear(HIDDEN, D)
        self.ls1 = nn.Parameter(torch.full((D,), LAYER_SCALE))
        self.ls2 = nn.Parameter(torch.full((D,), LAYER_SCALE))
        self.drop_path = drop_path

    def dropped(self, x):
        if not self.training or self.drop_path == 0:
            return x
        keep = 1 - self.drop_path
        return x * torch.bernoulli(torch.full((x.shape[0], 1, 1), keep)) / keep

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, H, D // H).permute(2, 0, 3, 1, 4)
        attended = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(D // H), dim=-1) @ v
        x = x + self.dropped(self.proj(attended.permute(0, 2, 1, 3).reshape(b, n, D)) * self.ls1)
        return x + self.dropped(self.fc2(F.gelu(self.fc1(self.norm2(x)))) * self.ls2)


class DigitsInternViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, D, 2, stride=2)
        self.cls = nn.Parameter(torch.empty(1, 1, D))
        self.pos = nn.Parameter(torch.empty(1, 17, D))
        rates = torch.linspace(0, DROP_PATH, DEPTH).tolist()
        self.layers = nn.ModuleList(Layer(rate) for rate in rates)
        self.head = nn.Linear(D, 10)
        nn.init.trunc_normal_(self.cls, std=0.02, a=-0.04, b=0.04)
        nn.init.trunc_normal_(self.pos, std=0.02, a=-0.04, b=0.04)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for layer in self.layers:
            x = layer(x)
        return self.head(x[:, 0])


model = DigitsInternViT()
average = [p.detach().clone() for p in model.parameters()] if AVERAGE_DECAY > 0 else None
optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WD)
steps_per_epoch = math.ceil(1437 / BATCH)
warmup, total = WARMUP * steps_per_epoch, EPOCHS * steps_per_epoch


def rate(step):
    if step < warmup:
        return LR * (step + 1) / warmup
    progress = min((step - warmup) / max(total - warmup, 1), 1)
    return 1e-5 + (LR - 1e-5) * 0.5 * (1 + math.cos(math.pi * progress))


step, seconds = 0, []
for epoch in range(1, EPOCHS + 1):
    started = time.perf_counter()
    model.train()
    total_loss = 0.0
    for batch in torch.randperm(1437).split(BATCH):
        for group in optimizer.param_groups:
            group["lr"] = rate(step)
        loss = F.cross_entropy(model(augmented(train_x[batch])), train_y[batch], label_smoothing=SMOOTHING)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total_loss += loss.item() * len(batch)
        if average is not None:
            decay = min(AVERAGE_DECAY, (1 + step) / (10 + step))
            with torch.no_grad():
                for kept, p in zip(average, model.parameters()):
                    kept.mul_(decay).add_(p, alpha=1 - decay)
        step += 1
    model.eval()
    with torch.no_grad():
        if average is not None:
            raw = [p.detach().clone() for p in model.parameters()]
            for p, kept in zip(model.parameters(), average):
                p.copy_(kept)
        accuracy = (model(test_x).argmax(-1) == test_y).float().mean().item()
        if average is not None:
            for p, r in zip(model.parameters(), raw):
                p.copy_(r)
    seconds.append(time.perf_counter() - started)
    print(f"epoch {epoch:3d}  loss {total_loss / 1437:.4f}  held-out acc {100 * accuracy:.2f}%  {seconds[-1]:.2f} s",
          flush=True)
print(f"torch: held-out accuracy {100 * accuracy:.2f}%, {sum(seconds) / len(seconds):.3f} s/epoch")
