"""agnews_ui.state: a message left by a callback shows once, where the page asks for it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from .conftest import TIMEOUT, values


def flash_app() -> None:
    """A button whose callback leaves a message, an error with details, and the slot shown below them."""
    import streamlit as st

    from agnews_ui.state import flash, show_flash

    st.button("Save", on_click=flash, args=("saved", "Saved."))
    st.button("Break", on_click=flash, args=("saved", "Not saved.", "error"), kwargs={"detail": "line 2: bad"})
    st.write("the page")
    show_flash("saved")


def test_a_flash_shows_on_the_run_after_its_callback_and_then_goes() -> None:
    at = AppTest.from_function(flash_app, default_timeout=TIMEOUT).run()
    assert not at.success and not at.error
    at.button[0].click().run()
    assert values(at.success) == ["Saved."]
    at.run()
    assert not at.success
    at.button[1].click().run()
    assert values(at.error) == ["Not saved."] and values(at.text) == ["line 2: bad"] and not at.success
