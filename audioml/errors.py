"""The one error type the library raises for bad input.

Every check on user-supplied audio, parameters, melody seeds or files raises
:class:`AudioMLError` with a message a person can act on. The CLI prints that
message on one line and exits non-zero; the app shows it with ``st.error``.
"""

from __future__ import annotations


class AudioMLError(ValueError):
    """Bad input: unreadable or unusable audio, an impossible parameter, an invalid seed."""

