"""Browser-side checks of a dashboard's layout: labels that overlap, elements cut by the window."""

from __future__ import annotations

LADDER_LABELS_JS = """() => {
  const host = document.querySelector('.of-value-ladder-chart');
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.tagName === 'DIV' && el.style.whiteSpace === 'pre' && el.style.position === 'absolute'
          && el.style.display !== 'none' && el.textContent.trim()) {
        const r = el.getBoundingClientRect();
        found.push({text: el.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom});
      }
    }
  };
  if (host) walk(host);
  return found;
}"""

CUT_JS = """(selectors) => {
  const cut = [];
  const w = window.innerWidth, h = window.innerHeight;
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5)
        cut.push([selector, Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)]);
      if (el.scrollHeight > el.clientHeight + 2 && getComputedStyle(el).overflowY !== 'visible')
        cut.push([selector + ' (content cut)', el.scrollHeight, el.clientHeight]);
    }
  }
  const page = document.scrollingElement;
  return {cut, scroll: [page.scrollWidth > w, page.scrollHeight > h]};
}"""

PANELS = (
    ".of-header",
    ".of-hypothesis",
    ".of-position",
    ".of-signals",
    ".of-pressure",
    ".of-orders",
    ".of-value-ladder-chart",
    ".of-controls",
)
CLASSIC_PANELS = (".of-header", ".of-tape", ".of-classic-charts", ".of-classic-profile", ".of-dom")


def ladder_labels(page) -> list[dict]:
    """Every ladder label the page shows, with its bounding box."""
    return page.evaluate(LADDER_LABELS_JS)


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap (by more than half a pixel)."""
    pairs = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if (
                a["left"] < b["right"] - 0.5
                and b["left"] < a["right"] - 0.5
                and a["top"] < b["bottom"] - 0.5
                and b["top"] < a["bottom"] - 0.5
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


def cut_elements(page, selectors: tuple[str, ...]) -> dict:
    """Panels reaching past the window or with hidden overflowing content, and page scroll bars."""
    return page.evaluate(CUT_JS, list(selectors))


def problems(page) -> list[str]:
    """The text of every "could not draw" banner the page shows (none when every state drew)."""
    return page.locator(".of-banner-box [data-problem='true']").all_inner_texts()
