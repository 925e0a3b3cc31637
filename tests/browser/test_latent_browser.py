"""The latent page in a real browser: clicking a point, or dragging a box, picks digits; each
plot keeps its picks and rings them on both."""

from __future__ import annotations

import pytest

from tests.support.browser import wait_idle


@pytest.fixture(scope="module")
def page(visit):
    return visit("latent-space")


def test_clicking_a_point_picks_it(page):
    main = page.locator("[data-testid='stMain']")
    assert "Nothing picked yet" in main.inner_text()
    plot = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    # Where the plot itself draws the last point of its last digit trace (topmost, so nothing
    # covers it), from its own axes: the click a user makes on that dot.
    x, y = plot.evaluate("""gd => {
        const t = gd._fullData.filter(d => d.visible !== false && d.name.length === 1).pop();
        const i = t.x.length - 1, xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(t.x[i]), box.top + ya._offset + ya.l2p(t.y[i])];
    }""")
    page.mouse.click(x, y)
    wait_idle(page)
    text = main.inner_text()
    assert "Nothing picked yet" not in text
    assert "DCAE reconstruction" in text
    # Projector-sized: the pick is drawn 128 px wide (three digits tall), its caption one line.
    sizes = page.locator("[data-testid='stImage'] img").evaluate_all(
        "imgs => imgs.map(i => [i.getBoundingClientRect().width, i.getBoundingClientRect().height])")
    assert [128, 384] in [[round(w), round(h)] for w, h in sizes], sizes
    caption = main.get_by_text("DCAE reconstruction").first.bounding_box()
    assert caption["height"] < 30, caption


def test_a_box_picks_the_digits_inside_it(page):
    page.reload()   # a new session: nothing picked
    wait_idle(page)
    main = page.locator("[data-testid='stMain']")
    assert "Nothing picked yet" in main.inner_text()
    plot = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").nth(1)
    plot.scroll_into_view_if_needed()
    plot.hover()
    plot.locator(".modebar-btn[data-title='Box Select']").click()
    box = plot.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.7, steps=8)
    page.mouse.up()
    wait_idle(page)
    text = main.inner_text()
    assert "Nothing picked yet" not in text and "VAE" in text
    assert page.locator("[data-testid='stImage']").count() >= 1


# Client coordinates of a point of digit *digit* on a plot, the one farthest from every point
# drawn above it (later traces), so that a click there hits that point; and its image id.
CLEAR_POINT = """([gd, digit]) => {
    const traces = gd._fullData.filter(d => d.visible !== false && d.name.length === 1);
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
    const px = (t, i) => [xa._offset + xa.l2p(t.x[i]), ya._offset + ya.l2p(t.y[i])];
    const at = traces.findIndex(d => d.name === String(digit)), t = traces[at];
    let best = null, bestGap = -1;
    for (let i = 0; i < t.x.length; i++) {
        const [x, y] = px(t, i);
        if (x < xa._offset + 10 || x > xa._offset + xa._length - 10 ||
            y < ya._offset + 10 || y > ya._offset + ya._length - 10) continue;
        let gap = Infinity;
        for (const above of traces.slice(at + 1))
            for (let j = 0; j < above.x.length; j++) {
                const [u, v] = px(above, j);
                gap = Math.min(gap, Math.hypot(u - x, v - y));
            }
        if (gap > bestGap) { bestGap = gap; best = [box.left + x, box.top + y, t.customdata[i][0]]; }
    }
    return best;
}"""
RINGED = """gd => { const r = gd._fullData.find(d => d.name === 'picked'); return r ? r.x.length : 0; }"""


def _plots(page):
    return {kind: page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").nth(i)
            for i, kind in enumerate(("dcae", "vae"))}


def _click_digit(page, kind, digit):
    plot = _plots(page)[kind]
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    x, y, point = plot.evaluate(f"gd => ({CLEAR_POINT})([gd, {digit}])")
    page.mouse.click(x, y)
    wait_idle(page)
    return int(point)


def test_each_plot_keeps_its_picks_and_rings_them_on_both(visit):
    page = visit("latent-space")
    main = page.locator("[data-testid='stMain']")
    four = _click_digit(page, "vae", 4)
    text = main.inner_text()
    assert "1 picked · digits: 4×1" in text
    assert {k: p.evaluate(RINGED) for k, p in _plots(page).items()} == {"dcae": 1, "vae": 1}
    assert f"The sliders are at image #{four} (a 4), clicked on the VAE plot" in text

    two = _click_digit(page, "dcae", 2)
    text = main.inner_text()
    assert "2 picked · digits: 2×1, 4×1" in text
    assert {k: p.evaluate(RINGED) for k, p in _plots(page).items()} == {"dcae": 2, "vae": 2}
    assert f"The sliders are at image #{two} (a 2), clicked on the DCAE plot" in text

    zero = _click_digit(page, "vae", 0)
    text = main.inner_text()
    # The DCAE's 2 is still picked, and the VAE keeps its 4 beside the 0.
    assert "3 picked · digits: 0×1, 2×1, 4×1" in text
    assert {k: p.evaluate(RINGED) for k, p in _plots(page).items()} == {"dcae": 3, "vae": 3}
    assert f"The sliders are at image #{zero} (a 0), clicked on the VAE plot" in text


def test_on_a_phone_every_table_column_and_chart_title_is_in_view(visit):
    """At 390 px the story table shows both models and the α table every α, beside their row
    labels, and no chart title runs past its chart."""
    page = visit("latent-space", width=390, height=844)
    tables = page.locator("[data-testid='stMain'] [data-testid='stTable'], "
                          "[data-testid='stMain'] [data-testid='stDataFrame']")
    tables.nth(1).wait_for(timeout=60_000)   # the α table comes last
    headers = []
    for i in range(tables.count()):
        table = tables.nth(i)
        table.scroll_into_view_if_needed()
        # Every header cell, the row labels' column included, lies inside the screen.
        headers.append(table.evaluate("""e => [...e.querySelectorAll('thead th')].map(th => {
            const r = th.getBoundingClientRect();
            return [th.textContent.trim(), r.left >= 0 && r.right <= window.innerWidth + 0.5];
        })"""))
    assert len(headers) == 2, headers
    story, alphas = headers
    assert [name for name, _ in story[1:]] == ["DCAE (plain autoencoder)", "VAE (variational)"]
    assert [name for name, _ in alphas[1:]] == ["α = 10", "α = 100", "α = 1000", "α = 10000"]
    assert all(inside for _, inside in story + alphas), headers
    charts = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
    assert charts.count() == 3
    for i in range(charts.count()):
        title, whole = charts.nth(i).evaluate("""gd => {
            const t = gd.querySelector('.gtitle').getBoundingClientRect(), b = gd.getBoundingClientRect();
            return [gd.layout.title.text, t.left >= b.left && t.right <= b.right && b.right <= window.innerWidth];
        }""")
        assert whole, title
