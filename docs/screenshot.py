"""A screenshot of a prognos HTML report, as the README shows it: the page in Debian's
chromium (headless, driven by playwright), with one line's panel open.

    python3 docs/screenshot.py REPORT.html OUT.png [LINE-CODE]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    page_file, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    code = sys.argv[3] if len(sys.argv) > 3 else None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(page_file.as_uri())
        if code is not None:
            page.locator(f'[data-code="{code}"] button.more').first.click()
            page.locator(f'[data-code="{code}"]').first.scroll_into_view_if_needed()
        page.screenshot(path=str(out))
        browser.close()


if __name__ == "__main__":
    main()
