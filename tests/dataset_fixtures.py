"""Paths of the data set fixtures (tests/fixtures/datasets, written by its make_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

DATASETS = Path(__file__).resolve().parent / "fixtures" / "datasets"
TWO_CLASSES = DATASETS / "two_classes.csv"
TICKETS = DATASETS / "tickets.jsonl"
FORTY_CLASSES = DATASETS / "forty_classes.csv"
MESSY, MESSY_TEST = DATASETS / "messy.csv", DATASETS / "messy_test.csv"
