"""Pure agnews_ui helpers (no Streamlit calls): on-screen wording and the Plotly figures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.labels import LABELS
from agnews_core.states import RunState, SweepState
from agnews_core.store.records import LossPoint, RunRecord, SweepRecord
from agnews_core.sweeps.progress import Progress
from agnews_ui.charts import PALETTE, accuracy_figure, confusion_figure, loss_figure, lr_colour, probability_figure
from agnews_ui.format import (
    STATE_BADGES,
    escape_markdown,
    pct,
    progress_fraction,
    progress_text,
    sweep_kind,
    sweep_title,
)


# ---- format
def sweep(**changes) -> SweepRecord:
    record = SweepRecord("20261126-143015-abc123", SweepConfig(learning_rates=(5e-5, 1e-4), model="minilm"))
    return replace(record, **changes)


def test_pct() -> None:
    assert pct(0.8982) == "89.8%"
    assert pct(1.0) == "100.0%"
    assert pct(0.0) == "0.0%"
    assert pct(None) == "–"


def test_sweep_title_names_model_rates_and_the_analysts_label() -> None:
    assert sweep_title(sweep()) == "20261126-143015-abc123 · minilm · lr 5e-5, 1e-4"
    named = sweep(config=SweepConfig(learning_rates=(5e-5,), label="baseline check"))
    assert sweep_title(named) == "20261126-143015-abc123 · baseline check · minilm · lr 5e-5"


def test_sweep_kind_names_a_crossfit_and_what_its_test_rows_are() -> None:
    crossfit = sweep(config=SweepConfig(learning_rates=(5e-5,), crossfit_of="s1/run01-lr5e-5", crossfit_folds=2))
    assert sweep_kind(crossfit).startswith("Cross-fit of run s1/run01-lr5e-5 (2 folds; each run's test rows are")
    assert sweep_kind(sweep()) == "Sweep"


def test_escape_markdown_makes_user_text_inert() -> None:
    text = "**bold** [link](http://x.y) # _em_ <b>`code`</b> $x$ ~~s~~ 1. a|b"
    escaped = escape_markdown(text)
    assert escaped.replace("\\", "") == text.replace("\\", "")
    for i, ch in enumerate(escaped):
        if ch in "*_[]()#`<>$~|." and (i == 0 or escaped[i - 1] != "\\"):
            pytest.fail(f"unescaped {ch!r} at {i} in {escaped!r}")
    assert escape_markdown("plain words") == "plain words"


def test_every_state_has_a_badge() -> None:
    for state in (*SweepState, *RunState):
        colour, icon = STATE_BADGES[state]
        assert colour and icon.startswith(":material/")


def test_progress_text_while_training() -> None:
    progress = Progress("training", "", run_index=1, run_count=3, learning_rate=1e-4, step=120, total_steps=375,
                        examples_per_second=41.2, eta_seconds=240)
    assert progress_text(progress) == "Run 2 of 3: lr 1e-4, step 120/375, 41 ex/s, about 4 min left"
    assert progress_text(Progress("loading", "Loading data (sample)")) == "Loading data (sample)"
    assert progress_text(Progress("evaluating", "Evaluating lr 1e-4", 0, 2)) == "Run 1 of 2: Evaluating lr 1e-4"


def test_progress_fraction_counts_finished_runs_and_steps() -> None:
    assert progress_fraction(None) == 0.0
    assert progress_fraction(Progress("loading", "", run_count=0)) == 0.0
    assert progress_fraction(Progress("training", "", 1, 4, step=50, total_steps=100)) == pytest.approx(1.5 / 4)
    assert progress_fraction(Progress("evaluating", "", 1, 4, step=3, total_steps=100)) == pytest.approx(2 / 4)
    assert progress_fraction(Progress("finished", "", 3, 4)) == 1.0


# ---- charts
def run(index: int, lr: float, points: int = 3) -> RunRecord:
    train = tuple(LossPoint(step=10 * (i + 1), epoch=(i + 1) / points, loss=1.4 - 0.1 * i) for i in range(points))
    return RunRecord(f"run{index + 1:02d}", index, lr, status=RunState.DONE, train_loss=train, eval_loss=train[-1:])


def test_loss_figure_has_one_trace_per_lr_in_its_sweep_colour() -> None:
    runs = [run(0, 5e-5), run(1, 1e-4), run(2, 2e-4)]
    for which in ("train", "eval"):
        figure = loss_figure(runs, which)
        assert [t.name for t in figure.data] == ["lr 5e-5", "lr 1e-4", "lr 2e-4"]
        assert [t.line.color for t in figure.data] == [lr_colour(0), lr_colour(1), lr_colour(2)]
    train = loss_figure(runs, "train").data[0]
    assert list(train.x) == [10, 20, 30] and list(train.y) == pytest.approx([1.4, 1.3, 1.2])
    by_epoch = loss_figure(runs, "train", x_axis="epoch")
    assert list(by_epoch.data[0].x) == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert by_epoch.layout.xaxis.title.text == "epoch"


def test_loss_figure_keeps_colours_when_a_run_has_no_points() -> None:
    runs = [run(0, 5e-5), run(1, 1e-4, points=0), run(2, 2e-4)]
    figure = loss_figure(runs, "train")
    assert [t.name for t in figure.data] == ["lr 5e-5", "lr 2e-4"]
    assert [t.line.color for t in figure.data] == [lr_colour(0), lr_colour(2)]
    assert loss_figure([], "eval").data == ()


def test_lr_colours_are_distinct_and_wrap() -> None:
    assert len(set(PALETTE)) == len(PALETTE)
    assert lr_colour(len(PALETTE)) == lr_colour(0)


def test_accuracy_figure_uses_the_given_colours_and_percent_labels() -> None:
    figure = accuracy_figure(["untrained", "fine-tuned lr 1e-4"], [0.25, 0.8982], ["#9e9e9e", lr_colour(1)])
    bars = figure.data[0]
    assert list(bars.x) == pytest.approx([25.0, 89.82])
    assert list(bars.text) == ["25.0%", "89.8%"]
    assert list(bars.marker.color) == ["#9e9e9e", lr_colour(1)]


def test_confusion_figure_text_has_counts_and_row_percentages() -> None:
    confusion = [[30, 0, 0, 0], [3, 27, 0, 0], [0, 0, 20, 20], [0, 0, 0, 0]]
    heatmap = confusion_figure(confusion, "Test rows").data[0]
    assert list(heatmap.x) == list(LABELS) and list(heatmap.y) == list(LABELS)
    assert heatmap.text[0][0] == "30<br>100.0%"
    assert heatmap.text[1][0] == "3<br>10.0%"
    assert heatmap.text[1][1] == "27<br>90.0%"
    assert heatmap.text[2][3] == "20<br>50.0%"
    assert heatmap.text[3][3] == "0<br>0.0%"  # an empty row does not divide by zero
    assert [heatmap.z[i][i] for i in range(len(LABELS))] == [0.0] * len(LABELS)  # the diagonal stays pale
    assert heatmap.z[2][3] == pytest.approx(50.0)
    assert heatmap.customdata[1][0] == 3


def test_probability_figure_highlights_the_predicted_label() -> None:
    bars = probability_figure([0.1, 0.2, 0.6, 0.1], chosen=2).data[0]
    assert list(bars.x) == list(LABELS)
    assert list(bars.y) == pytest.approx([10, 20, 60, 10])
    colours = list(bars.marker.color)
    assert colours[2] != colours[0] and len(set(colours[:2] + colours[3:])) == 1
