"""What screens, tickets and replies show, derived from state (pure)."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import Any

from .engine.decide import Context, choose_next, eligible, estimate_for
from .engine.model import HallState, Ticket, TicketStatus, Tier, WindowStatus
from .workdays import local

QR_VERSION = "YM1"


def qr_payload(hall_id: str, business_day: str, number: str, issued_local: datetime) -> str:
    """``YM1|hall|day|number|token``, ASCII only (ZBar guesses character sets wrongly).
    The token is the time of issue, so a scanned ticket can be checked against the
    ticket the hall really issued under that number."""
    return f"{QR_VERSION}|{hall_id}|{business_day}|{number}|t{issued_local:%H%M%S}"


def windows_for_item(ctx: Context, state: HallState, item: str) -> list[int]:
    """Windows that serve an item; dedicated ones first, general windows after."""
    own = [w.number for w in state.windows.values() if item in w.items]
    general = [w.number for w in state.windows.values() if w.general and item not in w.items]
    return own + general


def ticket_view(ctx: Context, state: HallState, t: Ticket) -> dict[str, Any]:
    item = ctx.cfg.item(t.item)
    assert state.day is not None
    day = state.day.business_day.isoformat()
    return {
        "number": t.number,
        "business_day": day,
        "item": t.item,
        "item_name": item.name if item else t.item,
        "item_name_en": item.name_en if item else t.item,
        "status": str(t.status),
        "priority": t.priority,
        "appointment": t.appointment is not None and t.tier is Tier.APPOINTMENT,
        "more_items": list(t.more_items),
        "people_ahead": t.people_ahead,
        "wait_minutes": [t.wait_low, t.wait_high],
        "issued_at": local(t.issued_at, ctx.cfg.hall.timezone).isoformat(timespec="seconds"),
        "windows": windows_for_item(ctx, state, t.item),
        "window": t.window,
        "qr": qr_payload(ctx.cfg.hall.id, day, t.number, local(t.issued_at, ctx.cfg.hall.timezone)),
    }


def queue_summary(ctx: Context, state: HallState, now: datetime) -> list[dict[str, Any]]:
    """Per item: waiting count, longest wait so far, and the estimate for a newcomer.
    One pass over the open tickets: this is painted after every change."""
    queues: dict[str, list[Ticket]] = {}
    for t in (state.day.active.values() if state.day else ()):
        if t.status is TicketStatus.WAITING and t.target_window is None:
            queues.setdefault(t.item, []).append(t)
    out = []
    for item in ctx.cfg.items:
        if item.status != "active":
            continue
        waiting = queues.get(item.code, [])
        longest = max(((now - t.issued_at).total_seconds() / 60 for t in waiting), default=0.0)
        _, low, high = estimate_for(ctx, state, item.code, Tier.WALK_IN, waiting) if state.day else (0, 0, 0)
        cap = state.caps.get(item.code, item.daily_cap)
        issued = state.day.issued_per_item.get(item.code, 0) if state.day else 0
        out.append({
            "item": item.code, "category": item.category, "waiting": len(waiting),
            "longest_wait_minutes": round(longest, 1), "wait_minutes": [low, high],
            "issued_today": issued, "daily_cap": cap,
            "full": cap is not None and issued >= cap,
            "paused": item.code in state.paused_items,
            "over_standard": len(waiting) > item.standard.max_queue_length
            or longest > item.standard.max_wait_minutes,
        })
    return out


def window_view(ctx: Context, state: HallState, number: int) -> dict[str, Any]:
    w = state.windows[number]
    cfg_w = ctx.cfg.window(number)
    cur = state.ticket(w.current) if w.current else None
    held: list[str] = []
    here: list[Ticket] = []          # waiting tickets this window may call
    for t in (state.day.active.values() if state.day else ()):
        if t.status is TicketStatus.HELD and t.window == number:
            held.append(t.number)
        elif eligible(w, t):
            here.append(t)
    nxt = choose_next(ctx, state, w, here) if w.status is WindowStatus.OPEN else None
    return {
        "window": number,
        "name": cfg_w.name if cfg_w else str(number),
        "name_en": cfg_w.name_en if cfg_w else str(number),
        "status": str(w.status),
        "items": list(w.items),
        "general": w.general,
        "clerk": w.clerk,
        "responsible": cfg_w.responsible if cfg_w else "",
        "current": cur.number if cur else None,
        "current_status": str(cur.status) if cur else None,
        "current_item": cur.item if cur else None,
        "since": w.since.isoformat(timespec="seconds") if w.since else None,
        "held": held,
        "waiting_here": len(here),
        "next": nxt.number if nxt else None,
        "last_finished": ({"number": w.last_finished, "at": w.last_finished_at.isoformat(timespec="seconds")}
                          if w.last_finished and w.last_finished_at else None),
    }


def recent_calls(state: HallState, limit: int = 10) -> list[dict[str, Any]]:
    """The latest calls, newest first (the board keeps several: people miss a call when
    windows call at once)."""
    if state.day is None:
        return []
    called = (t for t in state.day.tickets.values()
              if t.called_at is not None and t.window is not None
              and t.status in (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE))
    latest = heapq.nlargest(limit, called, key=lambda t: t.called_at)  # type: ignore[arg-type,return-value]
    return [{"number": t.number, "window": t.window, "at": t.called_at.isoformat(timespec="seconds")}  # type: ignore[union-attr]
            for t in latest]


def recent_no_shows(state: HallState, limit: int = 6) -> list[dict[str, Any]]:
    """Tickets marked 过号 (no-show) and not reinstated, newest first: a citizen who
    missed the call finds the number here instead of nowhere, and goes to the desk."""
    if state.day is None:
        return []
    missed = (t for t in state.day.tickets.values()
              if t.status is TicketStatus.NO_SHOW and t.no_show_at is not None and t.window is not None)
    latest = heapq.nlargest(limit, missed, key=lambda t: t.no_show_at)  # type: ignore[arg-type,return-value]
    return [{"number": t.number, "window": t.window, "at": t.no_show_at.isoformat(timespec="seconds")}  # type: ignore[union-attr]
            for t in latest]
