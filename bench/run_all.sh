#!/usr/bin/env bash
# Run every benchmark in turn; pass an artifacts folder holding a finished MiniLM sweep to reuse its model.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ARTIFACTS="${1:-}"
$PY -m bench.train_throughput
$PY -m bench.eval_throughput ${ARTIFACTS:+--artifacts "$ARTIFACTS"}
$PY -m bench.latency ${ARTIFACTS:+--artifacts "$ARTIFACTS"}
$PY -m bench.eta ${ARTIFACTS:+--artifacts "$ARTIFACTS"}
if [ -f app.py ]; then $PY -m bench.startup; fi
if [ -n "$ARTIFACTS" ]; then $PY -m bench.attribution --artifacts "$ARTIFACTS"; fi
