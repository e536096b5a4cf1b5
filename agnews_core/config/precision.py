"""Numeric precision for training and inference: what the user asks for, and what this hardware gets."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

# CPU flags that mean bf16 matrix math runs natively (AVX512-BF16 on Zen 4 / Cooper Lake, AMX on Sapphire Rapids).
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
# Flags worth recording beside a speed or accuracy number.
RECORDED_CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")
CPUINFO = Path("/proc/cpuinfo")


class Precision(StrEnum):
    """auto picks per hardware; the others are what training runs in (bf16/fp16 as autocast)."""

    AUTO = "auto"
    FP32 = "fp32"
    BF16 = "bf16"
    FP16 = "fp16"


class PrecisionError(ValueError):
    """The precision cannot run on this device; the message says why."""


@dataclass(frozen=True)
class HardwareInfo:
    """The machine a run used: CPU model and its relevant flags, or the GPU."""

    device: str  # "cpu" or "cuda"
    cpu_model: str
    cpu_flags: tuple[str, ...]  # the RECORDED_CPU_FLAGS this CPU has
    logical_cpus: int
    gpu_name: str | None = None

    @property
    def cpu_has_bf16(self) -> bool:
        """Whether the CPU does bf16 matrix math natively."""
        return any(flag in self.cpu_flags for flag in BF16_CPU_FLAGS)

    def describe(self) -> str:
        """One line for a card or a benchmark header."""
        if self.gpu_name:
            return f"GPU {self.gpu_name} (CPU {self.cpu_model})"
        flags = ", ".join(self.cpu_flags) or "no AVX flags"
        return f"{self.cpu_model}, {self.logical_cpus} logical CPUs ({flags})"


def parse_cpuinfo(text: str) -> tuple[str, tuple[str, ...]]:
    """(model name, recorded flags present) from /proc/cpuinfo text; the first processor is enough."""
    model, flags = "", set[str]()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and not model:
            model = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    return model, tuple(f for f in RECORDED_CPU_FLAGS if f in flags)


def _torch_cpu_flags() -> tuple[str, ...]:
    """Fallback where /proc/cpuinfo is missing (macOS, Windows): torch's own CPU checks."""
    try:
        import torch

        found = ["avx512f"] if torch.backends.cpu.get_cpu_capability().startswith("AVX512") else []
        if torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported():
            found.append("avx512_bf16")  # oneDNN's own bf16 check: the closest flag to record
        return tuple(found)
    except Exception:  # noqa: BLE001 - a failed probe means "no flags known", never a failure
        return ()


def hardware_info(device: str | None = None) -> HardwareInfo:
    """The CPU (model, flags, cores) and, on CUDA, the GPU name. device None: cuda when available."""
    import os

    model, flags = "", ()
    try:
        model, flags = parse_cpuinfo(CPUINFO.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        flags = _torch_cpu_flags()
    model = model or platform.processor() or platform.machine() or "unknown CPU"
    gpu = None
    if device is None or device == "cuda":
        import torch

        if torch.cuda.is_available():
            device, gpu = "cuda", torch.cuda.get_device_name(0)
        else:
            device = "cpu"
    return HardwareInfo(device=device, cpu_model=model, cpu_flags=flags, logical_cpus=os.cpu_count() or 1,
                        gpu_name=gpu)


def resolve_precision(requested: Precision | str, hardware: HardwareInfo, cuda_bf16: bool | None = None) -> Precision:
    """What `requested` means on this hardware: auto -> bf16 / fp16 / fp32; explicit choices are checked.

    cuda_bf16 says whether the GPU supports bf16 (None: ask torch).
    """
    requested = Precision(requested)
    if hardware.device == "cuda":
        if cuda_bf16 is None:
            import torch

            cuda_bf16 = bool(torch.cuda.is_bf16_supported())
        if requested is Precision.AUTO:
            return Precision.BF16 if cuda_bf16 else Precision.FP16
        if requested is Precision.BF16 and not cuda_bf16:
            raise PrecisionError(f"bf16 is not supported on {hardware.gpu_name}: choose fp16, fp32 or auto")
        return requested
    if requested is Precision.AUTO:
        return Precision.BF16 if hardware.cpu_has_bf16 else Precision.FP32
    if requested is Precision.FP16:
        raise PrecisionError("fp16 needs a CUDA GPU: on a CPU choose bf16, fp32 or auto")
    return requested  # bf16 on a CPU without native support runs (emulated), just slowly


def resolve_here(requested: Precision | str) -> Precision:
    """What `requested` means on this machine (its GPU when torch sees one, else its CPU)."""
    return resolve_precision(requested, hardware_info())
