"""`python -m agnews_core sweep|runs|predict` as a user runs it: output, exit codes and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agnews_core.store.artifact_store import ArtifactStore

REPO_ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agnews_core", *args], cwd=REPO_ROOT, env=ENV, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """An artifacts folder holding one CLI sweep of two learning rates, and that sweep's process result."""
    root = tmp_path_factory.mktemp("cli-artifacts")
    result = cli("sweep", "--model", "tiny", "--data", "sample", "--lrs", "1e-3,3e-4", "--train-size", "200",
                 "--eval-size", "100", "--test-size", "100", "--precision", "fp32", "--artifacts", str(root))
    return root, result


def test_sweep_prints_a_table_with_the_best_marked(swept) -> None:
    root, result = swept
    assert result.returncode == 0, result.stderr
    sweeps, broken = ArtifactStore(root).list_sweeps()
    assert broken == [] and len(sweeps) == 1
    record = sweeps[0]
    assert record.status == "done" and record.best_run_id
    best = ArtifactStore(root).load_run(record.sweep_id, record.best_run_id)
    assert record.config.precision == "fp32" and best.precision == "fp32"  # --precision reached the training
    assert record.environment is not None and record.environment.precision == "fp32"
    lines = result.stdout.splitlines()
    assert any(f"Sweep {record.sweep_id}: done" in line for line in lines)
    marked = [line for line in lines if line.startswith("*")]
    assert len(marked) == 1 and best.lr_label in marked[0] and "done" in marked[0]
    assert sum(1 for line in lines if line.strip().startswith(("1e-3", "3e-4"))) == 1  # the other, unmarked run
    assert "baseline TF-IDF + logistic regression: test acc" in result.stdout
    assert f"Artifacts: {root.resolve() / 'sweeps' / record.sweep_id}" in result.stdout
    assert "Data: bundled AG News sample" in result.stderr and "Traceback" not in result.stderr


def test_a_command_line_sweep_is_in_the_audit_log_as_the_local_users(swept) -> None:
    from agnews_core.access.audit import AuditLog, Outcome

    root, _ = swept
    (record,) = ArtifactStore(root).list_sweeps()[0]
    (entry,) = AuditLog(root).read().entries
    assert (entry.who, entry.role, entry.action) == ("local", "admin", "run_sweep")
    assert entry.target == record.sweep_id and entry.outcome == Outcome.DONE and entry.detail == "command line: done"


def test_sweep_logs_its_estimate_and_plain_progress_lines_without_warnings(swept) -> None:
    _, result = swept
    assert "Estimate: about " in result.stderr and "(first-guess speeds, nothing measured here yet)" in result.stderr
    assert "\r" not in result.stderr  # stderr is a pipe here, as in a log file: whole lines, no live bar
    # each run's last step (200 rows, batch 32), leaving out heartbeats written while its evaluation runs
    last_steps = [line for line in result.stderr.splitlines() if "step 7/7 " in line and "(still at it" not in line]
    assert len(last_steps) == 2 and all(" ex/s ~" in line and line.endswith(" left") for line in last_steps)
    assert "Warning" not in result.stderr  # third-party warnings (pyarrow's null_placement was one) stay out


def test_runs_lists_the_sweep(swept) -> None:
    root, _ = swept
    record = ArtifactStore(root).list_sweeps()[0][0]
    result = cli("runs", "--artifacts", str(root))
    assert result.returncode == 0, result.stderr
    assert f"{record.sweep_id}  done" in result.stdout and "model=tiny" in result.stdout
    best_line = next(line for line in result.stdout.splitlines() if record.best_run_id in line)
    assert best_line.lstrip().startswith("*") and "model kept" in best_line
    assert len([line for line in result.stdout.splitlines() if "run0" in line]) == 2


def test_runs_on_an_empty_folder(tmp_path: Path) -> None:
    result = cli("runs", "--artifacts", str(tmp_path))
    assert result.returncode == 0 and "No sweeps in" in result.stdout


def test_predict_prints_a_label(swept) -> None:
    root, _ = swept
    record = ArtifactStore(root).list_sweeps()[0][0]
    result = cli("predict", "--artifacts", str(root), "Stocks rally as oil prices fall", "Striker scores twice")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # the variant measured when the model was saved (no global int8 default)
    chosen = ArtifactStore(root).load_run(record.sweep_id, record.best_run_id).inference_variant.chosen
    assert lines[0] == f"Model: {record.sweep_id}/{record.best_run_id} ({chosen}, chosen by measurement)"
    assert len(lines) == 3
    for line in lines[1:]:
        assert line.split()[0] in ("World", "Sports", "Business", "Sci/Tech")
        assert "World" in line and "Sci/Tech" in line and " ms" in line


def test_predict_with_an_explicit_run_and_full_precision(swept) -> None:
    root, _ = swept
    record = ArtifactStore(root).list_sweeps()[0][0]
    result = cli("predict", "--artifacts", str(root), "--fp32", "--run", record.sweep_id, "Rates rise")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Model: {record.sweep_id}/{record.best_run_id} (fp32, asked for)"


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (["--lrs", "abc"], "'abc' is not a number"),
        (["--lrs", "0"], "out of range"),
        (["--lrs=-1e-4"], "out of range"),
        (["--lrs", ""], "empty"),
        (["--lrs", "1e-4,,"], "empty item"),
        (["--train-size", "0"], "--train-size: Train size must be between 1 and 200,000, got 0"),
        (["--eval-size", "ten"], "'ten' is not a whole number"),
        (["--epochs", "nan"], "--epochs: Epochs must be a number between 0.05 and 20"),
        (["--keep-models", "some"], "must be one of best, all, none"),
        (["--precision", "fp8"], "must be one of auto, fp32, bf16, fp16"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_bad_flags_exit_2_with_one_line(flag: list[str], message: str) -> None:
    line = _one_line_error(cli("sweep", "--model", "tiny", *flag))
    assert line.startswith("python -m agnews_core") and ": error: " in line and message in line


def test_settings_the_data_cannot_meet_exit_2_with_one_line(tmp_path: Path) -> None:
    line = _one_line_error(cli("sweep", "--model", "tiny", "--data", "sample", "--train-size", "9000",
                               "--artifacts", str(tmp_path)))
    assert "--train-size: Only 8,000 train rows are available in this data." in line
    line = _one_line_error(cli("sweep", "--model", "tiny", "--data", str(tmp_path / "missing")))
    assert "is not 'auto', 'hub', 'sample', an existing folder or a registered data set" in line
    assert not (tmp_path / "sweeps").exists()  # nothing was started


def test_predict_errors_exit_2_with_one_line(tmp_path: Path, swept) -> None:
    assert "no run with saved weights yet" in _one_line_error(cli("predict", "--artifacts", str(tmp_path), "x"))
    root, _ = swept
    assert "has no run 'nope'" in _one_line_error(cli("predict", "--artifacts", str(root), "--run",
                                                      f"{ArtifactStore(root).list_sweeps()[0][0].sweep_id}/nope", "x"))
    assert "not valid" in _one_line_error(cli("predict", "--artifacts", str(root), "--run", "../x", "x"))
    record = ArtifactStore(root).list_sweeps()[0][0]
    without_weights = next(r for r in record.run_ids if r != record.best_run_id)  # --keep-models best (default)
    line = _one_line_error(cli("predict", "--artifacts", str(root), "--run", f"{record.sweep_id}/{without_weights}", "x"))
    assert "this run kept no weights" in line


def test_no_command_exits_2() -> None:
    _one_line_error(cli())


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ([], ["sweep", "final", "cluster", "runs", "predict", "--help"]),
        (["sweep"], ["--lrs", "--model", "--data", "--train-size", "--eval-size", "--test-size", "--epochs",
                     "--batch-size", "--seed", "--keep-models", "--corrections", "--verdict-policy", "--precision", "--report-to", "--lr-range", "--range-trials",
                     "--executor", "--ray-address", "--ray-local-cpus", "--cpus-per-trial", "--gpus-per-trial",
                     "--ray-storage", "--early-stopping", "--grace-evals", "--name", "--from", "--artifacts", "--help"]),
        (["cluster"], ["--ray-address", "--help"]),
        (["final"], ["--sweep", "--train-size", "--epochs", "--artifacts", "--help"]),
        (["runs"], ["--artifacts", "--help"]),
        (["predict"], ["TEXT", "--run", "--fp32", "--artifacts", "--help"]),
    ],
)
def test_help_mentions_every_flag(command: list[str], flags: list[str]) -> None:
    from agnews_core.cli.main import build_parser

    result = cli(*command, "--help")
    assert result.returncode == 0 and result.stderr == ""
    for flag in flags:
        assert flag in result.stdout, flag
    parser = build_parser()
    if command:  # every option the parser knows is in the help, so the list above cannot fall behind
        sub = parser._subparsers._group_actions[0].choices[command[0]]
        known = {s for action in sub._actions for s in action.option_strings if s.startswith("--")}
        assert known <= set(flags)


def test_every_wrong_flag_gets_its_own_line() -> None:
    result = cli("sweep", "--model", "tiny", "--data", "sample", "--lrs", "abc", "--train-size", "0", "--seed", "x")
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line.split(": error: ")[1].split(":")[0] for line in lines] == ["--lrs", "--train-size", "--seed"]


def test_sweep_flags_are_built_from_the_config_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    """Help, choices and defaults come from the metadata; a field declared there becomes a flag."""
    from agnews_core.cli import main as cli_module
    from agnews_core.cli.main import build_parser
    from agnews_core.config.fields import Choice, FieldInfo

    def sweep_help() -> str:
        return build_parser()._subparsers._group_actions[0].choices["sweep"].format_help()

    text = " ".join(sweep_help().split())
    assert "(default 5e-5, 1e-4, 2e-4)" in text and "each > 0 and <= 1, at most 12" in text
    assert "between 1 and 200,000 (default 8000)" in text and "{best,all,none}" in text
    assert "'tiny': tiny BERT (seconds, smoke tests)" in text
    assert "--precision {auto,fp32,bf16,fp16}" in text and "'auto': auto (bf16 where the hardware has it)" in text
    optimizer = FieldInfo(label="Optimizer", help="Update rule.", name="optimizer", default="adamw",
                          choices=(Choice("adamw", "AdamW"), Choice("sgd", "plain SGD")))
    declared = cli_module.exposed_fields()
    monkeypatch.setattr(cli_module, "exposed_fields", lambda: (*declared, optimizer))
    text = " ".join(sweep_help().split())
    assert "--optimizer {adamw,sgd}" in text and "'sgd': plain SGD (default adamw)" in text


def test_sweep_from_reruns_a_recorded_sweep_with_overrides(swept, tmp_path: Path) -> None:
    import shutil

    root, _ = swept
    shutil.copytree(root, tmp_path / "copy")
    store = ArtifactStore(tmp_path / "copy")
    recorded = store.list_sweeps()[0][0]
    result = cli("sweep", "--from", recorded.sweep_id, "--lrs", "1e-3", "--artifacts", str(tmp_path / "copy"))
    assert result.returncode == 0, result.stderr
    again = next(s for s in store.list_sweeps()[0] if s.sweep_id != recorded.sweep_id)
    assert again.config.learning_rates == (1e-3,)
    same = ("model", "data", "train_size", "eval_size", "test_size", "epochs", "batch_size", "seed", "keep_models")
    assert all(getattr(again.config, name) == getattr(recorded.config, name) for name in same)


def test_final_trains_the_best_lr_on_every_train_row_and_scores_the_whole_test_split(swept, tmp_path: Path) -> None:
    import shutil

    root, _ = swept
    shutil.copytree(root, tmp_path / "copy")
    store = ArtifactStore(tmp_path / "copy")
    sweep = store.list_sweeps()[0][0]
    best = store.load_run(sweep.sweep_id, sweep.best_run_id)
    result = cli("final", "--sweep", sweep.sweep_id, "--train-size", "300", "--epochs", "0.5",
                 "--artifacts", str(tmp_path / "copy"))
    assert result.returncode == 0, result.stderr
    assert f"Final training of lr {best.learning_rate:g} on 300 rows" in result.stderr and "about" in result.stderr
    final = next(s for s in store.list_sweeps()[0] if s.config.final_of == sweep.sweep_id)
    (run,) = store.load_runs(final)[0]
    assert run.status == "done" and run.test.count == 7600  # the bundled, whole official test split
    bad = cli("final", "--sweep", sweep.sweep_id, "--train-size", "9999999", "--artifacts", str(tmp_path / "copy"))
    assert bad.returncode == 2 and "between 1 and" in bad.stderr and "Traceback" not in bad.stderr


def test_sweep_with_corrections_apply_relabels_and_says_how_many(tmp_path: Path) -> None:
    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.data.sources import load_source, make_splits
    from agnews_core.review.verdicts import Verdict, VerdictKind, VerdictStore

    root = tmp_path / "artifacts"
    sizes = {"train_size": 32, "eval_size": 16, "test_size": 16}
    train = make_splits(load_source("sample"), SweepConfig(data="sample", **sizes)).train
    row = train.iloc[0]
    VerdictStore(root, "sample").record(Verdict(row["text"], int(row["label"]), VerdictKind.REMOVE))
    result = cli("sweep", "--model", "tiny", "--data", "sample", "--lrs", "1e-3", "--train-size", "32",
                 "--eval-size", "16", "--test-size", "16", "--corrections", "apply", "--artifacts", str(root))
    assert result.returncode == 0, result.stderr
    assert "Corrections: 1 correction applied (train: 1 removed; validation: none) from 1 verdict" in result.stdout
    record = ArtifactStore(root).list_sweeps()[0][0]
    assert record.corrections is not None and record.corrections.removed_train == 1
    bad = cli("sweep", "--corrections", "maybe", "--artifacts", str(root))
    assert bad.returncode == 2 and "--corrections: Corrections must be one of ignore, apply, got 'maybe'" in bad.stderr
