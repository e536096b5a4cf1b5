"""Precision: reading CPU flags, resolving auto per hardware, and bf16 autocast really used in training."""

from __future__ import annotations

import threading

import pytest
import torch

from agnews_core.config.precision import HardwareInfo, Precision, PrecisionError, parse_cpuinfo, resolve_precision
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.sources import load_source, make_splits
from agnews_core.modeling.models import load_pretrained
from agnews_core.modeling.training import TrainSettings, train_model

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14 96-Core Processor
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 sha_ni

processor\t: 1
model name\t: AMD EPYC 9R14 96-Core Processor
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 sha_ni
"""


def _cpu(*flags: str) -> HardwareInfo:
    return HardwareInfo(device="cpu", cpu_model="Test CPU", cpu_flags=flags, logical_cpus=2)


def _gpu() -> HardwareInfo:
    return HardwareInfo(device="cuda", cpu_model="Test CPU", cpu_flags=(), logical_cpus=2, gpu_name="Test GPU")


def test_parse_cpuinfo_keeps_model_and_relevant_flags() -> None:
    model, flags = parse_cpuinfo(CPUINFO)
    assert model == "AMD EPYC 9R14 96-Core Processor"
    assert flags == ("avx2", "avx512f", "avx512_vnni", "avx512_bf16")  # fpu, sse2, sha_ni are not recorded
    assert parse_cpuinfo("") == ("", ())


@pytest.mark.parametrize(
    ("hardware", "expected"),
    [
        (_cpu("avx2", "avx512f", "avx512_bf16"), Precision.BF16),
        (_cpu("avx2", "amx_tile", "amx_bf16"), Precision.BF16),
        (_cpu("avx2", "avx512f"), Precision.FP32),
        (_cpu(), Precision.FP32),
    ],
)
def test_auto_on_a_cpu_needs_native_bf16(hardware: HardwareInfo, expected: Precision) -> None:
    assert resolve_precision("auto", hardware) is expected
    assert hardware.cpu_has_bf16 is (expected is Precision.BF16)


def test_auto_on_a_gpu_prefers_bf16_then_fp16() -> None:
    assert resolve_precision(Precision.AUTO, _gpu(), cuda_bf16=True) is Precision.BF16
    assert resolve_precision(Precision.AUTO, _gpu(), cuda_bf16=False) is Precision.FP16
    assert resolve_precision("fp32", _gpu(), cuda_bf16=True) is Precision.FP32


def test_explicit_choices_are_kept_or_refused_with_a_reason() -> None:
    assert resolve_precision("fp32", _cpu("avx512_bf16")) is Precision.FP32
    assert resolve_precision("bf16", _cpu()) is Precision.BF16  # emulated: slow but correct
    with pytest.raises(PrecisionError, match="fp16 needs a CUDA GPU"):
        resolve_precision("fp16", _cpu("avx512_bf16"))
    with pytest.raises(PrecisionError, match="bf16 is not supported on Test GPU"):
        resolve_precision("bf16", _gpu(), cuda_bf16=False)
    with pytest.raises(ValueError):
        resolve_precision("fp8", _cpu())


def test_describe_names_the_cpu_flags_or_the_gpu() -> None:
    assert _cpu("avx512_bf16").describe() == "Test CPU, 2 logical CPUs (avx512_bf16)"
    assert "GPU Test GPU" in _gpu().describe()


def _linear_output_dtypes(precision: Precision) -> tuple[set[torch.dtype], object, object]:
    config = SweepConfig(model="tiny", data="sample", train_size=32, eval_size=16, test_size=16, seed=3)
    splits = make_splits(load_source("sample"), config)
    loaded = load_pretrained("tiny", seed=3, tokenizer_texts=splits.train["text"])
    seen: set[torch.dtype] = set()
    layer = loaded.model.classifier
    layer.register_forward_hook(lambda _m, _i, output: seen.add(output.dtype))
    settings = TrainSettings(learning_rate=1e-3, epochs=1.0, batch_size=16, seed=3, max_length=16, warmup_ratio=0.1,
                             evals_per_run=1, precision=precision)
    outcome = train_model(loaded.model, loaded.tokenizer, splits.train, splits.validation, settings,
                          lambda _r: None, lambda _t, _e: None, threading.Event())
    return seen, outcome, loaded.model


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU autocast path")
def test_bf16_training_runs_under_cpu_autocast_and_keeps_fp32_weights() -> None:
    seen, outcome, model = _linear_output_dtypes(Precision.BF16)
    assert seen == {torch.bfloat16}  # every forward pass (training and evaluation) ran under bf16 autocast
    assert outcome.precision is Precision.BF16 and outcome.steps_done == 2
    assert outcome.final_eval_loss is not None
    assert {p.dtype for p in model.parameters()} == {torch.float32}  # the saved weights stay fp32


def test_fp32_training_stays_fp32() -> None:
    seen, outcome, _ = _linear_output_dtypes(Precision.FP32)
    assert seen == {torch.float32}
    assert outcome.precision is Precision.FP32


def test_resolve_here_is_resolve_precision_on_this_machines_hardware() -> None:
    from agnews_core.config.precision import hardware_info, resolve_here

    for requested in (Precision.AUTO, Precision.FP32):
        assert resolve_here(requested) == resolve_precision(requested, hardware_info())
