"""What still uses a registered data set: sweeps recorded on its versions and verdicts kept under its name.

Removing a data set that a sweep trained on leaves that sweep unable to reload its rows (review, label
review, final training), and its verdicts would outlive it; `data remove` asks here first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agnews_core.data.registry import DatasetManifest
from agnews_core.store.artifact_store import ArtifactStore


@dataclass(frozen=True)
class DatasetUsage:
    """The sweeps that use some versions of one data set, and how many verdicts its name holds."""

    name: str
    dataset_ids: tuple[str, ...]
    sweep_ids: tuple[str, ...]
    verdicts: int

    @property
    def in_use(self) -> bool:
        return bool(self.sweep_ids or self.verdicts)

    def describe(self) -> str:
        """'used by 2 sweeps (sweep-a, sweep-b) and 5 verdicts on tickets'; 'not used' when nothing uses it."""
        parts = []
        if self.sweep_ids:
            count = len(self.sweep_ids)
            parts.append(f"{count} sweep{'s' if count > 1 else ''} ({', '.join(self.sweep_ids)})")
        if self.verdicts:
            parts.append(f"{self.verdicts:,} verdict{'s' if self.verdicts > 1 else ''} on {self.name}")
        return f"used by {' and '.join(parts)}" if parts else "not used"


def dataset_usage(store: ArtifactStore, manifests: Sequence[DatasetManifest],
                  verdicts_of: Callable[[str], int]) -> DatasetUsage:
    """Who uses these versions (all of one name): sweeps by recorded id, and sweeps still queued or running that
    asked for the name or an id before recording one; `verdicts_of(name)` counts the name's verdicts (verdict
    files belong to the review layer, above this one)."""
    names = {m.name for m in manifests}
    if len(names) != 1:
        raise ValueError(f"give versions of exactly one data set, got {', '.join(sorted(names)) or 'none'}")
    (name,) = names
    ids = tuple(m.id for m in manifests)
    asked_for = {*ids, name}
    sweeps, _ = store.list_sweeps()  # an unreadable sweep names no data set
    using = tuple(s.sweep_id for s in sweeps
                  if s.dataset_id in ids or (not s.dataset_id and s.status.is_active and s.config.data in asked_for))
    return DatasetUsage(name=name, dataset_ids=ids, sweep_ids=using, verdicts=verdicts_of(name))
