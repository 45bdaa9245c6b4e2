"""Drive the running app in Debian's Chromium (never `playwright install`: it downloads)."""

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def wait_ready(page: Page, timeout: float = 30_000) -> None:
    """Streamlit renders over a websocket: wait until the script has finished running."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"]')
              && document.querySelector('[data-test-script-state="notRunning"]')""",
        timeout=timeout)
    page.wait_for_selector("h1", timeout=timeout)  # every page has a title
    page.wait_for_function(
        """() => document.querySelector('[data-test-script-state="notRunning"]')""",
        timeout=timeout)
    page.wait_for_function(  # charts draw after the script state settles
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('.main-svg'))""", timeout=timeout)
    page.wait_for_timeout(1500)  # let the last widgets paint


def screenshot(url: str, path: str, height: int = 1400) -> None:
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": height}, locale="ru-RU")
        page.goto(url)
        wait_ready(page)
        page.screenshot(path=path)
        browser.close()


if __name__ == "__main__":
    import sys

    screenshot(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1400)
