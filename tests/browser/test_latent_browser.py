"""The latent page in a real browser: clicking a point, or dragging a box, picks digits."""

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
