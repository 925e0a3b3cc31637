"""Streamlit-only helpers shared by the pages: cached loaders, input widgets, plots."""
