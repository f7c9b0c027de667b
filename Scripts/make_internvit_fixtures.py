#!/usr/bin/env python3
"""Writes InternViT checkpoints in the exact official layout, with reference outputs.

Tiny checkpoints (committed under Tests/InternViTTests/Fixtures/):
  internvit-tiny300m/   300M flavour: LayerNorm, qkv bias, no q/k norm; width 64, 2 layers,
                        4 heads, MLP 256, patch 14, image 56 (a 4x4 grid); model.safetensors
                        in bfloat16 with the original key names.
  internvit-tiny6b/     6B flavour: RMSNorm + q/k RMSNorm, no qkv bias. Like the real 6B
                        configs, config.json has no "norm_type" key (the default rms_norm
                        applies) and the weights are sharded (model.safetensors.index.json).
  internvl-chat-tiny/   an InternVL chat checkpoint: the 300M-flavour weights under
                        "vision_model.", beside projector and language-model tensors, and
                        the vision config nested under "vision_config".
  internvit-tiny300m-hf/ the same weights in transformers' "-hf" spelling (InternVL3-*-hf:
                        q_proj/k_proj/v_proj, lambda_1, layernorm_before, ...) under
                        "vision_tower.", config model_type "internvl".
  cases/                pixel inputs and reference outputs (float64 forward from the bf16
                        weights, stored as float32), listed in cases/manifest.json.

The reference is transformers' InternVLVisionModel (5.24) fed the same weights; the script
checks that it agrees with a line-by-line port of the original modeling_intern_vit.py
(Scripts/internvit_reference.py) and, for the 300M flavour at native resolution, with timm's
vit_intern300m_patch14_448 (timm resamples position embeddings with antialiasing at other
sizes, which the original does not, so it is only compared at native size).

Full size (not committed):
  python3 Scripts/make_internvit_fixtures.py --full-size DIR
writes a random InternViT-300M-448px checkpoint (608 MB bf16, official layout) to DIR,
with one 448x448 input, PyTorch's float32 outputs, and PyTorch's float32 forward time
(2 threads) in DIR/reference.json.

Versions: Scripts/requirements.txt.
"""
import copy
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
from safetensors.torch import save_file
try:
    from transformers import InternVLVisionConfig, InternVLVisionModel
except ImportError:  # only the tiny fixtures compare with transformers; --full-size does not need it
    InternVLVisionConfig = InternVLVisionModel = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import internvit_reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "InternViTTests", "Fixtures")
PREPROCESSOR = {"crop_size": 448, "do_center_crop": True, "do_normalize": True, "do_resize": True,
                "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": [0.485, 0.456, 0.406],
                "image_std": [0.229, 0.224, 0.225], "resample": 3, "size": 448}


def official_config(hidden, layers, heads, mlp, image, qkv_bias, qk_norm, norm_type, init_factor):
    """config.json as the official checkpoints write it (keys in their order)."""
    cfg = {"architectures": ["InternVisionModel"],
           "auto_map": {"AutoConfig": "configuration_intern_vit.InternVisionConfig",
                        "AutoModel": "modeling_intern_vit.InternVisionModel"},
           "attention_dropout": 0.0, "drop_path_rate": 0.1, "dropout": 0.0, "hidden_act": "gelu",
           "hidden_size": hidden, "image_size": image, "initializer_factor": init_factor,
           "initializer_range": 0.02, "intermediate_size": mlp, "layer_norm_eps": 1e-06,
           "model_type": "intern_vit_6b", "norm_type": norm_type, "num_attention_heads": heads,
           "num_channels": 3, "num_hidden_layers": layers, "patch_size": 14, "qk_normalization": qk_norm,
           "qkv_bias": qkv_bias, "torch_dtype": "bfloat16", "transformers_version": "4.37.2",
           "use_flash_attn": True}
    if norm_type is None:
        del cfg["norm_type"]          # as in the real InternViT-6B configs
        cfg["use_bfloat16"] = True
    return cfg


def hf_vision_config(cfg):
    return InternVLVisionConfig(
        hidden_size=cfg["hidden_size"], num_hidden_layers=cfg["num_hidden_layers"],
        num_attention_heads=cfg["num_attention_heads"], intermediate_size=cfg["intermediate_size"],
        image_size=cfg["image_size"], patch_size=cfg["patch_size"], attention_bias=cfg["qkv_bias"],
        use_qk_norm=cfg["qk_normalization"], norm_type=cfg["norm_type"], layer_norm_eps=cfg["layer_norm_eps"],
        use_mean_pooling=True, hidden_act="gelu", attn_implementation="eager")


def forward_reference(cfg, state, pixels, want_attentions=False):
    """The original forward (port of modeling_intern_vit.py) in float64 on the bf16
    weights, cross-checked against transformers' InternVLVisionModel.

    The two agree to ~1e-15 except where position embeddings are interpolated: the
    original resizes the grid in float32 (`pos_embed.float()`), transformers in the model
    dtype, a ~3e-7 difference; the original's semantics are what the Swift port follows.
    """
    port = ref.InternVisionModel(cfg).double().eval()
    port.load_state_dict({k: v.double() for k, v in state.items()}, strict=True)
    with torch.no_grad():
        last, pooled, states = port(pixels.double())
    result = {"last_hidden_state": last, "pooler_output": pooled, "hidden_states": torch.stack(states),
              "mean_pooled": last[:, 1:].mean(1)}
    if want_attentions:
        result["attentions_layer1"] = port.encoder.layers[1].attn.last_attention
    hf = InternVLVisionModel(hf_vision_config(cfg)).double().eval()
    hf.load_state_dict({k: v.double() for k, v in ref.original_to_hf(state, cfg["hidden_size"]).items()}, strict=True)
    with torch.no_grad():
        out = hf(pixel_values=pixels.double())
    diff = (last - out.last_hidden_state).abs().max().item()
    assert diff < 1e-5, f"original port and transformers disagree by {diff}"
    return result, diff


def check_timm(cfg, state, pixels):
    import timm
    model = timm.create_model("vit_intern300m_patch14_448", pretrained=False, img_size=cfg["image_size"],
                              embed_dim=cfg["hidden_size"], depth=cfg["num_hidden_layers"],
                              num_heads=cfg["num_attention_heads"], mlp_ratio=cfg["intermediate_size"] / cfg["hidden_size"],
                              num_classes=0).double().eval()
    model.load_state_dict({k: v.double() for k, v in ref.original_to_timm(state).items()}, strict=True)
    port = ref.InternVisionModel(cfg).double().eval()
    port.load_state_dict({k: v.double() for k, v in state.items()})
    with torch.no_grad():
        a = model.forward_features(pixels.double())
        b, _, _ = port(pixels.double())
    return (a - b).abs().max().item()


def write_checkpoint(folder, config, state, shards=1, prefix="", extra=None, preprocessor=None):
    os.makedirs(folder)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "preprocessor_config.json"), "w") as f:
        json.dump(preprocessor or PREPROCESSOR, f, indent=2)
    tensors = {prefix + k: v for k, v in state.items()}
    tensors.update(extra or {})
    if shards == 1:
        save_file(tensors, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
        return
    names = list(tensors)
    weight_map, total = {}, 0
    for s in range(shards):
        part = {k: tensors[k] for k in names[s::shards]}
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        save_file(part, os.path.join(folder, file), metadata={"format": "pt"})
        for k, v in part.items():
            weight_map[k] = file
            total += v.numel() * v.element_size()
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


def main_tiny():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "cases"))
    tiny_pre = dict(PREPROCESSOR, crop_size=56, size=56)
    flavours = {
        "internvit-tiny300m": official_config(64, 2, 4, 256, 56, True, False, "layer_norm", 1.0),
        "internvit-tiny6b": official_config(64, 2, 4, 256, 56, False, True, None, 0.1),
    }
    manifest = []
    torch.manual_seed(7)
    for index, (name, config) in enumerate(flavours.items()):
        cfg = ref.config_with_defaults(config)
        state = ref.random_state(cfg, seed=100 + index)
        if name == "internvit-tiny6b":
            write_checkpoint(os.path.join(OUT, name), config, state, shards=2, preprocessor=tiny_pre)
        else:
            write_checkpoint(os.path.join(OUT, name), config, state, preprocessor=tiny_pre)
            # The same weights inside an InternVL chat checkpoint, and in the -hf spelling.
            chat_config = {"architectures": ["InternVLChatModel"], "model_type": "internvl_chat",
                           "downsample_ratio": 0.5, "select_layer": -1, "template": "internvl2_5",
                           "vision_config": config, "llm_config": {"model_type": "qwen2", "hidden_size": 32}}
            extra = {"mlp1.0.weight": torch.ones(256, dtype=torch.bfloat16), "mlp1.1.weight": torch.ones(32, 256, dtype=torch.bfloat16),
                     "language_model.model.embed_tokens.weight": torch.zeros(10, 32, dtype=torch.bfloat16)}
            write_checkpoint(os.path.join(OUT, "internvl-chat-tiny"), chat_config, state, prefix="vision_model.",
                             extra=extra, preprocessor=tiny_pre)
            hf_vision = hf_vision_config(cfg).to_dict()
            for key in ("transformers_version", "_name_or_path", "attn_implementation", "_attn_implementation_autoset"):
                hf_vision.pop(key, None)
            hf_config = {"architectures": ["InternVLForConditionalGeneration"], "model_type": "internvl",
                         "vision_config": hf_vision, "text_config": {"model_type": "qwen2", "hidden_size": 32},
                         "downsample_ratio": 0.5, "vision_feature_layer": -1}
            hf_state = ref.original_to_hf(state, cfg["hidden_size"])
            write_checkpoint(os.path.join(OUT, "internvit-tiny300m-hf"), hf_config, hf_state, prefix="vision_tower.",
                             extra={"multi_modal_projector.layer_norm.weight": torch.ones(256, dtype=torch.bfloat16)},
                             preprocessor=tiny_pre)
        # Inputs: native size (batch 2, all outputs), two interpolated sizes, one that the
        # patch conv floors (88 x 61 -> 6 x 4 patches).
        for case, (b, h, w, attn) in {"native": (2, 56, 56, True), "wide": (1, 42, 70, False),
                                      "large": (1, 84, 84, False), "floor": (1, 88, 61, False)}.items():
            pixels = (torch.rand(b, 3, h, w) * 4.4 - 2.1).float()
            outputs, port_diff = forward_reference(cfg, state, pixels, want_attentions=attn)
            key = f"{name}_{case}"
            np.save(os.path.join(OUT, "cases", f"{key}_pixels.npy"), pixels.numpy())
            for out_name, value in outputs.items():
                np.save(os.path.join(OUT, "cases", f"{key}_{out_name}.npy"), value.float().numpy())
            entry = {"checkpoint": name, "case": case, "shape": [b, h, w], "port_vs_transformers": port_diff}
            if name == "internvit-tiny300m" and case == "native":
                entry["timm_vs_port"] = check_timm(cfg, state, pixels)
                assert entry["timm_vs_port"] < 1e-10, entry
            manifest.append(entry)
            print(json.dumps(entry))
    with open(os.path.join(OUT, "cases", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("wrote", OUT)


def main_full(folder):
    config = official_config(1024, 24, 16, 4096, 448, True, False, "layer_norm", 1.0)
    cfg = ref.config_with_defaults(config)
    state = ref.random_state(cfg, seed=300)
    shutil.rmtree(folder, ignore_errors=True)
    write_checkpoint(folder, config, state)
    torch.manual_seed(1)
    pixels = (torch.rand(1, 3, 448, 448) * 4.4 - 2.1).float()
    np.save(os.path.join(folder, "pixels.npy"), pixels.numpy())
    torch.set_num_threads(2)
    model = ref.InternVisionModel(cfg).eval()
    model.load_state_dict({k: v.float() for k, v in state.items()})
    with torch.no_grad():
        model(pixels)  # warm up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            last, pooled, _ = model(pixels)
            times.append(time.perf_counter() - start)
    np.save(os.path.join(folder, "last_hidden_state.npy"), last.numpy())
    np.save(os.path.join(folder, "pooler_output.npy"), pooled.numpy())
    info = {"torch": torch.__version__, "threads": 2, "forward_seconds": times, "best_seconds": min(times)}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--full-size":
        main_full(sys.argv[2])
    else:
        main_tiny()
