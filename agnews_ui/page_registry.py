"""The app's pages, listed once: app.py's navigation, the Home page's list and every link between pages use this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from agnews_ui.auth import is_let_in

APP_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageInfo:
    """One page: its script (relative to app.py), title, icon and what it is for."""

    path: str
    title: str
    icon: str
    description: str
    default: bool = False


HOME = PageInfo("pages/home.py", "Home", ":material/home:", "what each page does, where artifacts live", default=True)
DATA = PageInfo("pages/data.py", "Data", ":material/dataset:",
                "your own labelled texts: add a file, check its classes, lengths and problems; the bundled sample")
SWEEP = PageInfo("pages/sweep.py", "Sweep", ":material/tune:",
                 "launch a learning-rate sweep, watch its progress and live loss curves, cancel it")
RESULTS = PageInfo("pages/results.py", "Results", ":material/show_chart:",
                   "training and eval loss per learning rate, the results table and baselines")
ACCURACY = PageInfo("pages/accuracy.py", "Accuracy", ":material/grid_on:",
                    "baseline vs fine-tuned accuracy, per-class metrics, the confusion matrix")
ERRORS = PageInfo("pages/errors.py", "Errors", ":material/rule:",
                  "every misclassified example, filtered by label pair, suspected label errors and smart tags; "
                  "verdicts on gold labels, exported and imported as CSV")
MAP = PageInfo("pages/map.py", "Map", ":material/scatter_plot:",
              "a run's rows laid out by what its model sees, coloured by label, error, suspect or verdict; box or "
              "lasso rows into Errors; named error slices, and two runs compared slice by slice")
COMPARE = PageInfo("pages/compare.py", "Compare", ":material/compare_arrows:",
                   "two runs (or a run and the TF-IDF baseline) row by row: what B fixed and broke, and is it chance")
PREDICT = PageInfo("pages/predict.py", "Predict", ":material/bolt:",
                   "classify a headline with any saved run beside a TF-IDF demo that works before any run")
PAGES = (HOME, DATA, SWEEP, RESULTS, ACCURACY, ERRORS, MAP, COMPARE, PREDICT)
# Listed only for admins of an app with sign-in (the local user of an app without it has nobody to audit).
AUDIT = PageInfo("pages/audit.py", "Audit log", ":material/policy:",
                 "who did what and when: sweeps, cancels, data sets, verdicts, and refused actions; filters and CSV")

_navigation_built = False  # becomes True the first time app.py runs in this server process


def navigation(with_audit: bool = False) -> Any:
    """st.navigation over every page, and the audit log when asked (app.py calls this once per script run and
    runs the page it returns)."""
    global _navigation_built
    _navigation_built = True
    return st.navigation(_pages() + ([_page(AUDIT)] if with_audit else []))


def gate_navigation(screen: Callable[[], None]) -> Any:
    """st.navigation over one screen (sign in, no role, will not serve), whatever page the URL asked for."""
    global _navigation_built
    _navigation_built = True
    return st.navigation([st.Page(screen, title="Sign in", icon=":material/login:", url_path="signin",
                                  default=True)], position="hidden")


def link(page: PageInfo, label: str | None = None, icon: str | None = None,
         query_params: dict[str, str] | None = None) -> None:
    """st.page_link to a page, by default with its own title and icon."""
    st.page_link(page.path, label=label or page.title, icon=icon or page.icon, query_params=query_params)


def go_to(page: PageInfo, query_params: dict[str, str] | None = None) -> None:
    """Switch this session to a page now."""
    st.switch_page(page.path, query_params=query_params)


def ensure_app_navigation(page_file: str) -> None:
    """Rerun this page through app.py when Streamlit ran it alone (a fresh server's first request was a deep link).

    Streamlit still serves a folder named pages/ next to app.py the legacy way (each file run alone, without
    app.py) until some session calls st.navigation, so the first page a fresh server serves misses app.py's page
    config and navigation. Upstream: the pages/ + st.navigation mix on a direct URL is noted in the review of
    streamlit/streamlit PR #10276 and left as a legacy path; no option turns the pages/ detection off, and the
    folder name is this project's layout. The documented way out is public: once any session calls
    st.navigation the app ignores pages/ in every session, and st.switch_page reruns this page through app.py
    with the link's query parameters. After app.py has run once in this process this returns at once.
    tests/browser/test_browser_deep_link.py fails without it.
    """
    if _navigation_built:
        if not is_let_in():  # app.py's gate shows the sign-in; a page run any other way draws nothing
            st.stop()
        return
    st.navigation(_pages() + [_page(AUDIT)], position="hidden")  # the audit log too: app.py decides who sees it
    page = Path(page_file).resolve().relative_to(APP_ROOT).as_posix()
    st.switch_page(page, query_params=st.query_params.to_dict())


def _pages() -> list[Any]:
    return [_page(p) for p in PAGES]


def _page(page: PageInfo) -> Any:
    return st.Page(page.path, title=page.title, icon=page.icon, default=page.default)
