"""The melody page in headless Chromium: labels that fit, a score readable on a phone, every bar of
the histograms labelled, charts and tables readable on a projector (1,400 px) and a phone (390 px)."""

from __future__ import annotations

import base64
import re


from tests.support.browser import wait_idle


#: Pixels between the top and bottom line of a staff below which a score is hard to read.
MIN_STAFF_PX = 20
#: Smallest tick label and legend text, in CSS pixels, that reads on a projector or a phone.
MIN_TEXT_PX = 12

#: For each visible plotly chart: its title's and legend's boxes, its own box, and its tick labels
#: (size, box, rotated or not); for each visible table: its widths and its header cells' boxes.
_LAYOUT_JS = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const charts = [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent).map(p => {
    const title = p.querySelector('.gtitle'), legend = p.querySelector('.legend');
    const ticks = axis => [...p.querySelectorAll(`.${axis}tick text`)].filter(t => t.textContent).map(t => ({
      text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize), box: box(t),
      rotated: (t.getAttribute('transform') || '').includes('rotate')}));
    return {title: title ? title.textContent : '', titleBox: title ? box(title) : null, box: box(p),
            legend: legend ? box(legend) : null,
            legendPx: [...p.querySelectorAll('.legendtext')].map(t => parseFloat(getComputedStyle(t).fontSize)),
            x: ticks('x'), y: ticks('y')};
  });
  const tables = [...document.querySelectorAll("[data-testid='stTable']")].filter(t => t.offsetParent).map(t => ({
    scroll: t.scrollWidth, client: t.clientWidth, headers: [...t.querySelectorAll('th')].map(h => [h.innerText, ...box(h)])}));
  return {width: innerWidth, charts, tables};
}"""


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


def _overlap(a, b, slack: float = 1) -> bool:
    """Whether boxes *a* and *b* (left, top, right, bottom) overlap by more than *slack* px."""
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def _layout_of_every_tab(page) -> list[tuple[str, dict]]:
    page.wait_for_function("""() => document.querySelectorAll('.js-plotly-plot .xtick').length >= 2""",
                           timeout=90_000)  # charts arrive last
    tabs, found = page.get_by_role("tab"), []
    for i in range(tabs.count()):
        tabs.nth(i).click()
        page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .filter(p => p.offsetParent).every(p => p.querySelector('.xtick'))""", timeout=30_000)
        page.wait_for_timeout(500)
        found.append((tabs.nth(i).inner_text(), page.evaluate(_LAYOUT_JS)))
    return found


def _problems(tab: str, layout: dict, *, horizontal) -> list[str]:
    """What makes a chart or table hard to read: small or colliding labels, labels turned where
    *horizontal(title)* says they fit, a title cut or covered by its legend, a table too wide."""
    problems, width = [], layout["width"]
    for chart in layout["charts"]:
        name = f"{tab}: {chart['title'] or 'untitled chart'}"
        ticks = chart["x"] + chart["y"]
        small = sorted({t["px"] for t in ticks if t["px"] < MIN_TEXT_PX} |
                       {px for px in chart["legendPx"] if px < MIN_TEXT_PX})
        if small:
            problems.append(f"{name}: text {small} px")
        if horizontal(chart["title"]) and any(t["rotated"] for t in chart["x"]):
            problems.append(f"{name}: tick labels turned")
        xs = chart["x"]
        # A label's box holds its line's leading too, some 4 px of a 13 px line beyond the glyphs.
        if any(_overlap(a["box"], b["box"], slack=3) for a, b in zip(xs, xs[1:])):
            problems.append(f"{name}: tick labels collide")
        if chart["titleBox"]:
            left, _, right, _ = chart["titleBox"]
            if left < max(chart["box"][0], 0) - 1 or right > min(chart["box"][2], width) + 1:
                problems.append(f"{name}: title cut ({left:.0f}-{right:.0f} px of {width})")
            if chart["legend"] and _overlap(chart["titleBox"], chart["legend"]):
                problems.append(f"{name}: title under the legend")
    for table in layout["tables"]:
        if table["scroll"] > table["client"] + 1 or any(h[3] > width + 1 or h[1] < -1 for h in table["headers"]):
            problems.append(f"{tab}: table wider than the screen, columns "
                            f"{[h[0] for h in table['headers'] if h[3] > width + 1]} cut")
    return problems


def test_charts_and_tables_read_on_a_projector_and_a_phone(app_url, browser):
    """At 1,400 px every tick label is horizontal; at 390 px (a phone) the pitch axis still is; at
    both, labels are 12 px or more and do not collide, every title is whole and clear of its
    legend, and the model card's table shows both its columns."""
    seen = {}
    for width, height, horizontal in ((1400, 1000, lambda title: True),
                                      (390, 844, lambda title: title == "Pitches")):
        context, page = _open(browser, app_url, width, height)
        try:
            layouts = _layout_of_every_tab(page)
        finally:
            context.close()
        problems = [p for tab, layout in layouts for p in _problems(tab, layout, horizontal=horizontal)]
        assert not problems, f"at {width} px: {problems}"
        seen[width] = {c["title"] for _, layout in layouts for c in layout["charts"]}
        assert sum(len(layout["tables"]) for _, layout in layouts) == 1
    for titles in seen.values():
        assert {"Pitches", "Durations", "Gate activity"} <= titles, titles
