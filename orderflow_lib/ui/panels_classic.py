"""Pure HTML for the classic panels: time & sales coloured by aggressor, and the DOM ladder."""

from __future__ import annotations

from orderflow_lib.ui.html import attrs, esc, fmt_int, fmt_price, fmt_time
from orderflow_lib.ui.snapshot import Snapshot, as_list, dig

_SIDE = {"B": ("BUY", "of-row-buy of-buy"), "A": ("SELL", "of-row-sell of-sell")}


def tape_html(snapshot: Snapshot, rows: int = 30) -> str:
    """Newest trades first; buyer-initiated green, seller-initiated red, large lots bold with a star."""
    trades = as_list(snapshot.get("tape"))
    if not trades:
        return '<div class="of-muted" data-tape="0">no trades yet</div>'
    body = []
    for trade in reversed(trades[-rows:]):
        side = str(trade.get("side") or "N").upper()
        word, css = _SIDE.get(side, ("—", ""))
        large = bool(trade.get("large"))
        body.append(
            f'<tr class="{css}{" of-large" if large else ""}" {attrs(side=side, large=str(large).lower())}>'
            f"<td>{fmt_time(trade.get('ts_ns'))}</td>"
            f'<td class="of-num">{fmt_price(trade.get("price"))}</td>'
            f'<td class="of-num">{fmt_int(trade.get("size"))}{" ★" if large else ""}</td>'
            f"<td>{esc(word)}</td></tr>"
        )
    return (
        f'<table class="of-table" data-tape="{len(trades)}"><tr><th>time</th><th>price</th>'
        "<th>size</th><th>aggressor</th></tr>" + "".join(body) + "</table>"
    )


def dom_html(snapshot: Snapshot) -> str:
    """The book as a price ladder: asks above (best ask lowest), bids below, with size bars."""
    bids = [(float(p), int(s)) for p, s in as_list(dig(snapshot, "dom", "bids"))]
    asks = [(float(p), int(s)) for p, s in as_list(dig(snapshot, "dom", "asks"))]
    if not bids and not asks:
        return '<div class="of-muted" data-dom="0">no book yet</div>'
    largest = max([s for _, s in bids + asks], default=1) or 1
    last = dig(snapshot, "price", "last")

    def bar(size: int, colour: str, align: str) -> str:
        width = 100 * size / largest
        return (
            f'<div style="display:flex;justify-content:{align}"><span style="display:inline-block;'
            f'height:8px;width:{width:.0f}%;background:{colour};opacity:.45"></span></div>'
        )

    rows = []
    for price, size in sorted(asks, reverse=True):
        mark = " ◀" if last is not None and float(last) == price else ""
        rows.append(
            f'<tr {attrs(book="ask", price=fmt_price(price))}><td></td><td class="of-bid"></td>'
            f'<td class="of-px">{fmt_price(price)}{mark}</td>'
            f'<td class="of-ask">{fmt_int(size)}</td><td style="width:30%">{bar(size, "#d73027", "flex-start")}</td></tr>'
        )
    for price, size in sorted(bids, reverse=True):
        mark = " ◀" if last is not None and float(last) == price else ""
        rows.append(
            f'<tr {attrs(book="bid", price=fmt_price(price))}><td style="width:30%">{bar(size, "#2b7bd6", "flex-end")}</td>'
            f'<td class="of-bid">{fmt_int(size)}</td><td class="of-px">{fmt_price(price)}{mark}</td>'
            f'<td class="of-ask"></td><td></td></tr>'
        )
    return (
        f'<table class="of-table of-dom" data-dom="{len(bids) + len(asks)}">'
        "<tr><th></th><th>bid</th><th style='text-align:center'>price</th><th>ask</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
    )
