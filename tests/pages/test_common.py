"""The Streamlit helpers every page uses."""

from __future__ import annotations

import re

from ui.common import safe_text


def test_user_text_is_escaped():
    shown = safe_text("<script>alert(1)</script> [link](javascript:x) **bold** " + "x" * 500)
    assert "<script>" not in shown and "**" not in shown
    assert not re.search(r"(?<!\\)\]\(", shown), "a Markdown link survived"
    assert len(shown) < 300
