"""The melody page in headless Chromium: labels that fit, a score readable on a phone, every bar of
the histograms labelled."""

from __future__ import annotations

import base64
import re


from tests.support.browser import wait_idle


#: Pixels between the top and bottom line of a staff below which a score is hard to read.
MIN_STAFF_PX = 20


def _open(browser, url: str, width: int, height: int, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.goto(f"{url}/melody")
    wait_idle(page)
    return context, page


def _staff_px(page) -> float:
    """Height on screen of the first staff of the score shown (top line to bottom line), in pixels."""
    images = page.locator("[data-testid='stMain'] img")
    images.locator("visible=true").first.wait_for(timeout=60_000)  # images arrive last
    shown = [images.nth(i) for i in range(images.count()) if images.nth(i).is_visible()]
    scores = []
    for image in shown:
        src = image.get_attribute("src") or ""
        if src.startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(src.split(",", 1)[1]).decode()
        else:  # a media file served by Streamlit
            svg = page.request.get(page.evaluate("s => new URL(s, document.baseURI).href", src)).text()
        if "Verovio" in svg:
            scores.append((image, svg))
    assert len(scores) == 1, f"{len(scores)} scores visible"
    image, svg = scores[0]
    width = float(re.search(r'class="definition-scale"[^>]*viewBox="0 0 ([\d.]+)', svg).group(1))
    staff = svg[svg.index('class="staff"'):]
    ys = [float(y) for y in re.findall(r'<path d="M\d+ (\d+) L\d+ \d+"', staff[:3000])[:5]]
    assert len(ys) == 5, staff[:500]
    return (max(ys) - min(ys)) * image.bounding_box()["width"] / width


def test_desktop_labels_fit_and_every_bar_is_labelled(app_url, browser):
    context, page = _open(browser, app_url, 1400, 1000)
    try:
        page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .filter(p => p.querySelector('.xtick')).length >= 2""", timeout=60_000)  # charts arrive last
        page.wait_for_timeout(500)
        cut = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stMetricLabel'] *")]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)""")
        charts = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(p => ({
            title: (p.layout && p.layout.title && (p.layout.title.text || p.layout.title)) || '',
            bars: p.data && p.data.length ? p.data[0].x.length : 0,
            ticks: [...p.querySelectorAll('.xtick text')].map(t => t.textContent).filter(t => t)}))""")
        histograms = [c for c in charts if re.sub("<[^>]+>", "", c["title"]).startswith("Durations")]
        assert len(histograms) == 1, charts
        unlabelled = [c for c in histograms if len(c["ticks"]) != c["bars"]]
        assert not cut and not unlabelled, f"metric labels cut off: {cut}; bars without a label: {unlabelled}"
    finally:
        context.close()


def test_score_is_readable_on_a_phone(app_url, browser):
    context, page = _open(browser, app_url, 390, 844, is_mobile=True, has_touch=True,
                          device_scale_factor=2)
    try:
        staff = _staff_px(page)
        assert staff >= MIN_STAFF_PX, f"staff {staff:.1f} px high on a 390 px phone"
    finally:
        context.close()
    context, page = _open(browser, app_url, 1400, 1000)
    try:
        staff = _staff_px(page)
        assert MIN_STAFF_PX <= staff <= 60, f"staff {staff:.1f} px high at 1400 px"
    finally:
        context.close()
