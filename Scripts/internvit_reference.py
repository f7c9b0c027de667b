"""The original InternViT forward (OpenGVLab modeling_intern_vit.py, eval path), ported
line for line with the original class and key names, plus the key maps between the
original layout, transformers' "-hf" layout and timm's layout.

Used by make_internvit_fixtures.py as a second implementation to cross-check the
reference (transformers' InternVLVisionModel) and to produce original-layout checkpoints.
"""
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

# Defaults of InternVisionConfig.__init__ (configuration_intern_vit.py): the 6B values.
DEFAULTS = dict(num_channels=3, patch_size=14, image_size=224, qkv_bias=False, hidden_size=3200,
                num_attention_heads=25, intermediate_size=12800, qk_normalization=True, num_hidden_layers=48,
                use_flash_attn=True, hidden_act="gelu", norm_type="rms_norm", layer_norm_eps=1e-6,
                dropout=0.0, drop_path_rate=0.0, attention_dropout=0.0, initializer_range=0.02,
                initializer_factor=0.1)


class InternRMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32) if input_dtype != torch.float64 else hidden_states
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


def norm_layer(cfg, dim):
    return nn.LayerNorm(dim, eps=cfg["layer_norm_eps"]) if cfg["norm_type"] == "layer_norm" else InternRMSNorm(dim, cfg["layer_norm_eps"])


class InternVisionEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, p = cfg["hidden_size"], cfg["patch_size"]
        self.image_size, self.patch_size = cfg["image_size"], p
        self.class_embedding = nn.Parameter(torch.randn(1, 1, d))
        self.patch_embedding = nn.Conv2d(3, d, kernel_size=p, stride=p)
        self.num_patches = (self.image_size // p) ** 2
        self.position_embedding = nn.Parameter(torch.randn(1, self.num_patches + 1, d))

    def _get_pos_embed(self, pos_embed, H, W):
        target_dtype = pos_embed.dtype
        g = self.image_size // self.patch_size
        pos_embed = pos_embed.float().reshape(1, g, g, -1).permute(0, 3, 1, 2)
        pos_embed = F.interpolate(pos_embed, size=(H, W), mode="bicubic", align_corners=False)
        return pos_embed.reshape(1, -1, H * W).permute(0, 2, 1).to(target_dtype)

    def forward(self, pixel_values):
        target_dtype = self.patch_embedding.weight.dtype
        patch_embeds = self.patch_embedding(pixel_values)
        batch_size, _, height, width = patch_embeds.shape
        patch_embeds = patch_embeds.flatten(2).transpose(1, 2)
        class_embeds = self.class_embedding.expand(batch_size, 1, -1).to(target_dtype)
        embeddings = torch.cat([class_embeds, patch_embeds], dim=1)
        position_embedding = torch.cat([self.position_embedding[:, :1, :],
                                        self._get_pos_embed(self.position_embedding[:, 1:, :], height, width)], dim=1)
        return embeddings + position_embedding.to(target_dtype)


class InternAttention(nn.Module):
    # Keeps each layer's attention map in `last_attention` (for the fixtures); benchmarks turn
    # it off: 24 retained [B, 16, 1025, 1025] maps are 1.6 GB in float32.
    record_attention = True

    def __init__(self, cfg):
        super().__init__()
        self.embed_dim, self.num_heads = cfg["hidden_size"], cfg["num_attention_heads"]
        self.head_dim = self.embed_dim // self.num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(self.embed_dim, 3 * self.embed_dim, bias=cfg["qkv_bias"])
        self.qk_normalization = cfg["qk_normalization"]
        if self.qk_normalization:
            self.q_norm = InternRMSNorm(self.embed_dim, eps=cfg["layer_norm_eps"])
            self.k_norm = InternRMSNorm(self.embed_dim, eps=cfg["layer_norm_eps"])
        self.proj = nn.Linear(self.embed_dim, self.embed_dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        if self.qk_normalization:
            B_, H_, N_, D_ = q.shape
            q = self.q_norm(q.transpose(1, 2).flatten(-2, -1)).view(B_, N_, H_, D_).transpose(1, 2)
            k = self.k_norm(k.transpose(1, 2).flatten(-2, -1)).view(B_, N_, H_, D_).transpose(1, 2)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        if self.record_attention:
            self.last_attention = attn
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class InternMLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.fc1 = nn.Linear(cfg["hidden_size"], cfg["intermediate_size"])
        self.fc2 = nn.Linear(cfg["intermediate_size"], cfg["hidden_size"])

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class InternVisionEncoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_size"]
        self.attn = InternAttention(cfg)
        self.mlp = InternMLP(cfg)
        self.norm1, self.norm2 = norm_layer(cfg, d), norm_layer(cfg, d)
        self.ls1 = nn.Parameter(cfg["initializer_factor"] * torch.ones(d))
        self.ls2 = nn.Parameter(cfg["initializer_factor"] * torch.ones(d))

    def forward(self, x):
        x = x + self.attn(self.norm1(x).to(x.dtype)) * self.ls1
        return x + self.mlp(self.norm2(x).to(x.dtype)) * self.ls2


class InternVisionEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.ModuleList([InternVisionEncoderLayer(cfg) for _ in range(cfg["num_hidden_layers"])])

    def forward(self, x):
        states = [x]
        for layer in self.layers:
            x = layer(x)
            states.append(x)
        return x, states


class InternVisionModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = InternVisionEmbeddings(cfg)
        self.encoder = InternVisionEncoder(cfg)

    def forward(self, pixel_values):
        last, states = self.encoder(self.embeddings(pixel_values))
        return last, last[:, 0, :], states


def random_state(cfg, seed):
    """Original-layout weights with realistic magnitudes, rounded to bf16."""
    torch.manual_seed(seed)
    model = InternVisionModel(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("norm1.weight", "norm2.weight", "q_norm.weight", "k_norm.weight")):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith((".ls1", ".ls2")):
                p.copy_(0.1 + 0.05 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.02 * torch.randn_like(p))
            elif "embedding" in name and "patch" not in name:
                p.copy_(0.2 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) * (p.shape[-1] if p.dim() == 2 else p[0].numel()) ** -0.5)
    return {k: v.detach().to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()}


def config_with_defaults(config_json):
    cfg = dict(DEFAULTS)
    cfg.update({k: v for k, v in config_json.items() if k in DEFAULTS})
    return cfg


# --- key maps ---------------------------------------------------------------------------

def original_to_hf(state, hidden):
    """Original keys -> transformers InternVLVisionModel keys (qkv split in three)."""
    out = {}
    for k, v in state.items():
        m = re.match(r"encoder\.layers\.(\d+)\.(.*)", k)
        if not m:
            out[{"embeddings.class_embedding": "embeddings.cls_token",
                 "embeddings.position_embedding": "embeddings.position_embeddings",
                 "embeddings.patch_embedding.weight": "embeddings.patch_embeddings.projection.weight",
                 "embeddings.patch_embedding.bias": "embeddings.patch_embeddings.projection.bias"}[k]] = v
            continue
        i, rest = m.groups()
        p = f"encoder.layer.{i}."
        if rest.startswith("attn.qkv."):
            kind = rest.split(".")[-1]
            for j, name in enumerate(["q_proj", "k_proj", "v_proj"]):
                out[p + f"attention.{name}.{kind}"] = v[j * hidden:(j + 1) * hidden]
            continue
        rest = (rest.replace("attn.proj", "attention.projection_layer").replace("attn.q_norm", "attention.q_norm")
                .replace("attn.k_norm", "attention.k_norm").replace("norm1", "layernorm_before")
                .replace("norm2", "layernorm_after"))
        rest = {"ls1": "lambda_1", "ls2": "lambda_2"}.get(rest, rest)
        out[p + rest] = v
    return out


def original_to_timm(state):
    """Original keys -> timm vit_intern300m keys."""
    out = {}
    for k, v in state.items():
        k2 = (k.replace("embeddings.class_embedding", "cls_token").replace("embeddings.position_embedding", "pos_embed")
              .replace("embeddings.patch_embedding", "patch_embed.proj").replace("encoder.layers.", "blocks."))
        k2 = re.sub(r"\.ls([12])$", r".ls\1.gamma", k2)
        out[k2] = v
    return out
