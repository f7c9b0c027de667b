"""Writes Tests/AutogradTests/Fixtures/optimizers.safetensors: a parameter, three
gradients, and the parameter after each step of torch.optim.AdamW (lr 0.1, wd 0.01) and
torch.optim.SGD (lr 0.1, momentum 0.9, wd 0.01), after clip_grad_norm_ (max 1.0) of each gradient.

Run: /work/venv/bin/python Scripts/make_optimizer_fixtures.py"""
from pathlib import Path

import torch
from safetensors.torch import save_file

torch.manual_seed(21)
initial = torch.randn(3, 4)
gradients = [torch.randn(3, 4) * scale for scale in (0.3, 2.0, 0.1)]
tensors = {"initial": initial.clone()}
for index, g in enumerate(gradients):
    tensors[f"gradient{index}"] = g.clone()

for name, make in {
    "adamw": lambda p: torch.optim.AdamW([p], lr=0.1, weight_decay=0.01),
    "sgd": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01),
}.items():
    parameter = torch.nn.Parameter(initial.clone())
    optimizer = make(parameter)
    for index, g in enumerate(gradients):
        parameter.grad = g.clone()
        torch.nn.utils.clip_grad_norm_([parameter], max_norm=1.0)
        optimizer.step()
        tensors[f"{name}.after{index}"] = parameter.detach().clone()

path = Path(__file__).resolve().parent.parent / "Tests/AutogradTests/Fixtures/optimizers.safetensors"
save_file(tensors, str(path))
print(f"wrote {path}")
