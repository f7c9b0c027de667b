#!/usr/bin/env python3
"""PyTorch's time for all-MiniLM-L6-v2 sentence embeddings (transformers BertModel + mean
pooling + L2 normalisation, as sentence-transformers computes them) on a batch of 64 short
sentences, to compare with `minilm-embed --bench` in the same run.
Usage: python3 Scripts/bench_minilm_torch.py MODEL_DIR [THREADS]
"""
import sys
import time

import torch
from transformers import BertModel, BertTokenizerFast

SHORT = ["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.",
         "A man is riding a horse.", "A woman is playing violin.", "Two men pushed carts through the woods.",
         "A man is riding a white horse on an enclosed ground.", "A monkey is playing drums."]
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
tokenizer = BertTokenizerFast.from_pretrained(sys.argv[1])
model = BertModel.from_pretrained(sys.argv[1]).eval()
batch = [SHORT[i % len(SHORT)] for i in range(64)]


def embed():
    inputs = tokenizer(batch, padding=True, truncation=True, max_length=256, return_tensors="pt")
    out = model(**inputs).last_hidden_state
    mask = inputs["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((out * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=1)


with torch.no_grad():
    embed()
    best = min((lambda s: (embed(), time.perf_counter() - s)[1])(time.perf_counter()) for _ in range(20))
print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads: 64 sentences best {best * 1e3:.1f} ms = {64 / best:.0f} sentences/s")
