"""Audit log: who started, cancelled, registered, reviewed or was refused what, and when (admins only)."""

import streamlit as st

from agnews_core.access.audit import AuditLog
from agnews_core.access.guard import AccessRefused, authorize
from agnews_core.access.roles import Action
from agnews_core.config.artifacts_root import default_root
from agnews_ui import page_registry
from agnews_ui.audit_view import show_audit
from agnews_ui.auth import actor

page_registry.ensure_app_navigation(__file__)

st.title("Audit log")
root = default_root()
try:
    authorize(actor(), Action.VIEW_AUDIT, "audit log", root)
except AccessRefused as refused:
    st.error(str(refused), icon=":material/lock:")
    st.stop()
contents = AuditLog(root).read()
show_audit(contents.entries, contents.unreadable_lines)
