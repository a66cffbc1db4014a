"""Open a URL in a graphical web browser, never in a text one.

Python's ``webbrowser`` falls back to console browsers (w3m, lynx, links) when no graphical one
is found, which would dump a whole HTML report into the terminal. On a machine without a display
(no ``DISPLAY`` or ``WAYLAND_DISPLAY`` on Linux and the BSDs) or whose only browser is a text one,
nothing is opened and the caller prints the path instead. ``BROWSER`` set by the user is honoured.
"""

from __future__ import annotations

import os
import sys

TEXT_BROWSERS = frozenset({"www-browser", "w3m", "lynx", "links", "elinks", "links2", "browsh"})
"""Console browsers ``webbrowser`` may choose; they are never used for a report."""


def has_display() -> bool:
    """Whether a graphical browser can be shown (always true on macOS and Windows)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_in_browser(url: str) -> str | None:
    """Open ``url`` in a graphical browser; ``None`` when done, else why not (one phrase)."""
    import webbrowser

    chosen = bool(os.environ.get("BROWSER"))
    if not chosen and not has_display():
        return "no display (DISPLAY and WAYLAND_DISPLAY are unset)"
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return "no web browser found"
    name = os.path.basename(str(getattr(browser, "name", "") or ""))
    if name in TEXT_BROWSERS and not chosen:
        return f"the only web browser found is the text browser {name}"
    try:
        opened = browser.open(url)
    except (webbrowser.Error, OSError):
        opened = False
    return None if opened else "the web browser could not be started"
