"""ETA honesty: agnews_core.sweeps.estimate.estimate_sweep_seconds before a sweep vs the wall time of that sweep."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.common import data_spec, emit_json, print_table

TARGET = 0.25  # |estimate - measured| / measured


class PhaseClock:
    """Seconds spent in each progress phase of a sweep, from its progress callbacks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.phase = "start"
        self.since = time.perf_counter()

    def __call__(self, progress: object) -> None:
        phase = str(getattr(progress, "phase", "?"))
        message = str(getattr(progress, "message", ""))
        if phase == "training" and message.startswith("Loading model"):
            phase = "loading model"
        if phase != self.phase:
            now = time.perf_counter()
            self.seconds[self.phase] += now - self.since
            self.phase, self.since = phase, now

    def close(self) -> None:
        """Charge the time since the last change to the current phase."""
        self.__call__(type("End", (), {"phase": "end"})())


def main() -> None:
    """Estimate, run the same small sweep, compare; print where the time went."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifacts", default=None,
                        help="folder whose throughput.json the estimate reads (copied; the sweep runs in a temp folder)")
    parser.add_argument("--lrs", default="5e-5,1e-4")
    parser.add_argument("--train-size", type=int, default=300)
    parser.add_argument("--eval-size", type=int, default=200)
    parser.add_argument("--test-size", type=int, default=400)
    args = parser.parse_args()
    from agnews_core.config.sweep_config import SweepConfig, parse_learning_rates
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.store.layout import THROUGHPUT_FILE
    from agnews_core.sweeps.estimate import estimate_sweep_seconds, load_throughput
    from agnews_core.sweeps.runner import run_sweep

    config = SweepConfig(learning_rates=parse_learning_rates(args.lrs), model="minilm", data=data_spec(),
                         train_size=args.train_size, eval_size=args.eval_size, test_size=args.test_size)
    with tempfile.TemporaryDirectory(prefix="bench-eta-") as scratch:
        root = Path(scratch)
        if args.artifacts and (Path(args.artifacts) / THROUGHPUT_FILE).is_file():
            shutil.copy(Path(args.artifacts) / THROUGHPUT_FILE, root / THROUGHPUT_FILE)
        throughput = load_throughput(root, config.model)
        estimate = estimate_sweep_seconds(config, throughput)
        clock = PhaseClock()
        started = time.perf_counter()
        record = run_sweep(ArtifactStore(root), config, on_snapshot=lambda snapshot: snapshot.progress and clock(snapshot.progress))
        measured = time.perf_counter() - started
        clock.close()
        measured_after = load_throughput(root, config.model)
        estimate_after = estimate_sweep_seconds(config, measured_after)
    error = (estimate - measured) / measured
    print_table("Where the sweep's time went (seconds)", ["phase", "seconds"],
                [(k, v) for k, v in clock.seconds.items() if k != "start" or v > 0.05])
    source = "measured" if throughput.measured else "first guess"
    print_table(f"ETA vs wall time: {len(config.learning_rates)} LRs, train {config.train_size}, "
                f"eval {config.eval_size}, test {config.test_size}, status {record.status}",
                ["throughput used", "train ex/s", "inference ex/s", "estimate s", "measured s", "error"],
                [(source, throughput.train, throughput.inference, estimate, measured, f"{error:+.1%}"),
                 ("recorded by this sweep", measured_after.train, measured_after.inference, estimate_after, measured,
                  f"{(estimate_after - measured) / measured:+.1%}")])
    met = abs(error) <= TARGET
    print(f"\nestimate {estimate:.1f} s vs measured {measured:.1f} s: error {error:+.1%} "
          f"(target within {TARGET:.0%}: {'met' if met else 'NOT met'})")
    emit_json("eta", config=config.to_dict(), throughput_source=source, train_examples_per_second=throughput.train,
              inference_examples_per_second=throughput.inference, estimate_seconds=round(estimate, 2),
              measured_seconds=round(measured, 2), ratio=round(estimate / measured, 3), error=round(error, 4),
              estimate_with_recorded_throughput=round(estimate_after, 2), phases=dict(clock.seconds),
              target=TARGET, met=met)


if __name__ == "__main__":
    main()
