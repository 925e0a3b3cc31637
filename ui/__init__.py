"""Streamlit-only helpers shared by the pages: cached loaders, input widgets, plots."""


def _use_app_navigation() -> None:
    # Streamlit decides per server process whether `pages/` is an old-style (v1) page folder
    # before app.py has ever run. When the very first visitor opens a page URL directly, the
    # page would run alone, without app.py's navigation and settings. Every page imports `ui`,
    # so this switches the server to app.py's st.navigation and reruns the request.
    try:
        import streamlit as st
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # pragma: no cover - a future Streamlit without this internal
        return
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


_use_app_navigation()
