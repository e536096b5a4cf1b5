"""The core's shape: layers that only import downwards, cheap imports, never streamlit."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import agnews_core

REPO_ROOT = Path(__file__).resolve().parents[2]
CORE = REPO_ROOT / "agnews_core"
MODULES = sorted(m.name for m in pkgutil.walk_packages(agnews_core.__path__, "agnews_core.")
                 if not m.ispkg and m.name != "agnews_core.__main__")
VOCABULARY = {"agnews_core.labels", "agnews_core.states", "agnews_core.text_keys"}
# Lower layers first. A module may import its own layer's modules and any lower layer's, never a higher one;
# layers of the same rank (analysis, review, serving) never import each other.
LAYERS = {"config": 1, "access": 2, "data": 3, "store": 4, "modeling": 5, "analysis": 6, "review": 6, "serving": 6,
          "sweeps": 7, "cli": 8}


def _layer(module: str) -> str:
    """'vocabulary' for the top-level modules, else the subpackage under agnews_core."""
    return "vocabulary" if module in VOCABULARY else module.split(".")[1]


def _rank(layer: str) -> int:
    return 0 if layer == "vocabulary" else LAYERS[layer]


def _core_imports(module: str) -> set[str]:
    """Every agnews_core module a module imports, at the top, inside functions or under TYPE_CHECKING."""
    path = CORE.joinpath(*module.split(".")[1:]).with_suffix(".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("agnews_core"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("agnews_core"))
    return found


def _loaded_after(code: str) -> set[str]:
    """Top-level package names in sys.modules after running code in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{n.split('.')[0] for n in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_only_vocabulary_modules_sit_at_the_top_of_the_package() -> None:
    top = {p.stem for p in CORE.glob("*.py")} - {"__init__", "__main__"}
    assert {f"agnews_core.{name}" for name in top} == VOCABULARY


def test_every_subpackage_is_a_known_layer() -> None:
    assert {_layer(m) for m in MODULES} - {"vocabulary"} == set(LAYERS)


def _violations(imports: dict[str, set[str]]) -> list[str]:
    """'module (layer) imports other (layer)' for every import of a higher layer or a same-rank sibling."""
    found = []
    for module, imported_modules in sorted(imports.items()):
        here = _layer(module)
        for imported in sorted(imported_modules):
            if imported == "agnews_core":
                continue
            there = _layer(imported)
            if there != here and _rank(there) >= _rank(here):
                found.append(f"{module} ({here}) imports {imported} ({there})")
    return found


def test_a_lower_layer_never_imports_a_higher_one() -> None:
    assert _violations({module: _core_imports(module) for module in MODULES}) == []


def test_the_layer_rule_reports_upward_and_sideways_imports() -> None:
    assert _violations({"agnews_core.data.sources": {"agnews_core.sweeps.runner", "agnews_core.config.fields"},
                        "agnews_core.review.verdicts": {"agnews_core.serving.predictor", "agnews_core.labels"},
                        "agnews_core.sweeps.jobs": {"agnews_core.sweeps.executors.thread"}}) == [
        "agnews_core.data.sources (data) imports agnews_core.sweeps.runner (sweeps)",
        "agnews_core.review.verdicts (review) imports agnews_core.serving.predictor (serving)",
    ]


def test_every_core_module_has_its_test_file() -> None:
    tests = Path(__file__).resolve().parent
    missing = []
    for module in MODULES:
        *folders, name = module.split(".")[1:]
        if not tests.joinpath(*folders, f"test_{name}.py").is_file():
            missing.append(module)
    assert missing == []


def test_no_core_module_imports_streamlit() -> None:
    loaded = _loaded_after("import agnews_core\n" + "\n".join(f"import {m}" for m in MODULES))
    assert "agnews_core" in loaded
    assert "streamlit" not in loaded


def test_the_job_manager_and_predictor_import_without_torch() -> None:
    loaded = _loaded_after("import agnews_core.sweeps.jobs, agnews_core.serving.predictor, agnews_core.cli.main")
    assert not loaded & {"torch", "transformers", "datasets", "streamlit", "onnxruntime", "onnx"}
