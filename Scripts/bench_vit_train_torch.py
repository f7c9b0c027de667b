"""PyTorch twin of Examples/ViTTraining (vit-train): the same toy ViT (2x2 patches of
8x8 digits, class token, position embeddings, 2 pre-norm blocks of width 64, 4 heads,
GELU MLP 128), the same recipe (AdamW lr 3e-3 wd 0.05, batch 64, 2 warmup epochs then
cosine to 1e-5, clip 1.0, 40 epochs), rows 0..1436 to train and 1437..1796 held out.
Prints per-epoch held-out accuracy and seconds per epoch for the side-by-side benchmark.

Run: /work/venv/bin/python Scripts/bench_vit_train_torch.py "$(Scripts/fetch_digits.sh)" [--epochs N]"""
import gzip
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
path = sys.argv[1]
epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 40
rows = np.loadtxt(gzip.open(path, "rt"), delimiter=",", dtype=np.float32)
pixels = torch.from_numpy(rows[:, :64] / 16).reshape(-1, 1, 8, 8)
labels = torch.from_numpy(rows[:, 64].astype(np.int64))
train_x, train_y, test_x, test_y = pixels[:1437], labels[:1437], pixels[1437:], labels[1437:]

D, H, DEPTH, HIDDEN = 64, 4, 2, 128


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.fc1, self.fc2 = nn.Linear(D, HIDDEN), nn.Linear(HIDDEN, D)

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, H, D // H).permute(2, 0, 3, 1, 4)
        attended = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(D // H), dim=-1) @ v
        x = x + self.proj(attended.permute(0, 2, 1, 3).reshape(b, n, D))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class DigitsViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(1, D, 2, stride=2)
        self.cls = nn.Parameter(torch.randn(1, 1, D) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 17, D) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(DEPTH))
        self.norm, self.head = nn.LayerNorm(D), nn.Linear(D, 10)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


model = DigitsViT()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
steps_per_epoch = math.ceil(1437 / 64)
warmup, total = 2 * steps_per_epoch, epochs * steps_per_epoch


def rate(step):
    if step < warmup:
        return 3e-3 * (step + 1) / warmup
    progress = min((step - warmup) / max(total - warmup, 1), 1)
    return 1e-5 + (3e-3 - 1e-5) * 0.5 * (1 + math.cos(math.pi * progress))


step, seconds = 0, []
for epoch in range(1, epochs + 1):
    started = time.perf_counter()
    model.train()
    for batch in torch.randperm(1437).split(64):
        for group in optimizer.param_groups:
            group["lr"] = rate(step)
        loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
    model.eval()
    with torch.no_grad():
        accuracy = (model(test_x).argmax(-1) == test_y).float().mean().item()
    seconds.append(time.perf_counter() - started)
    print(f"epoch {epoch:3d}  loss {loss.item():.4f}  held-out acc {100 * accuracy:.2f}%  {seconds[-1]:.2f} s", flush=True)
print(f"torch: held-out accuracy {100 * accuracy:.2f}%, {sum(seconds) / len(seconds):.3f} s/epoch")
