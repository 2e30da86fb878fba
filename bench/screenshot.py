"""Screenshot of the results page for `tram bts` over the bundled corpus: bench/serve-results.png.

    python bench/screenshot.py [--out PATH] [--chromium PATH] [--width 1280]

Builds an index of corpus/ in a temporary folder, starts `searchkit serve` on a free loopback
port, and has Debian's chromium (headless, driven by Playwright) load the page and save it.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import BENCH_DIR, REPO_ROOT
from serve import free_port, start_server, stop_server, wait_ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "serve-results.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser (apt-get install chromium)")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from searchkit import SearchEngine

    with tempfile.TemporaryDirectory() as scratch:
        index = Path(scratch) / "index"
        SearchEngine(index).index([REPO_ROOT / "corpus"])
        port = free_port()
        process = start_server("searchkit", index, port, workers=1)
        try:
            wait_ready(process, f"http://127.0.0.1:{port}")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium, headless=True)
                page = browser.new_page(viewport={"width": args.width, "height": 900}, locale="vi-VN")
                page.goto(f"http://127.0.0.1:{port}/?q=tram+bts")
                page.screenshot(path=str(args.out), full_page=True)
                browser.close()
        finally:
            stop_server(process)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
