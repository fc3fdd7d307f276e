"""Figures and printable reports for the year-end assessment (年终目标考核).

Read-only: it opens the hall's store as a reader, so it can run while the server does.
Ticket figures come from the queue events of the period; case figures from the cases
engine's own pure functions (``queue_server/cases/figures.py``).
"""

from __future__ import annotations

import csv
import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

import sqlalchemy as sa

from .cases.evolve import apply as apply_case
from .cases.figures import CaseFigures, FeedbackFigures, case_figures, feedback_figures
from .cases.model import RATING_NAMES, CasesState, RatingLevel, initial_cases
from .cases.views import CaseLight, warnings
from .config import HallConfig
from .engine.events import (
    DayEnded, ServiceFinished, ServiceStarted, TicketCalled, TicketIssued, TicketNoShow, TicketVoided,
)
from .store import EventStore, case_event_types, events_t
from .workdays import WorkCalendar

QUEUE_TYPES = ["TicketIssued", "TicketCalled", "ServiceStarted", "ServiceFinished", "TicketNoShow", "DayEnded",
               "TicketVoided"]


@dataclass
class TicketFigures:
    """``issued`` counts tickets handed to citizens; a voided ticket (its kiosk never got
    the reply, so nobody holds it) used a number but is counted only under ``voided``:
    it is not issued, not a no-show, not closed unserved, and never waited."""

    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    closed_unserved: int = 0
    voided: int = 0
    waits: list[float] = field(default_factory=list)      # minutes, issue -> first call
    services: list[float] = field(default_factory=list)   # minutes, start -> finish

    @property
    def mean_wait(self) -> float | None:
        return sum(self.waits) / len(self.waits) if self.waits else None

    @property
    def max_wait(self) -> float | None:
        return max(self.waits) if self.waits else None

    @property
    def mean_service(self) -> float | None:
        return sum(self.services) / len(self.services) if self.services else None


def ticket_figures(events: Iterable[tuple[date, Any]]) -> dict[str, TicketFigures]:
    """Per item: tickets, waits and service times from (business day, event) pairs."""
    out: dict[str, TicketFigures] = defaultdict(TicketFigures)
    item_of: dict[tuple[date, str], str] = {}
    issued_at: dict[tuple[date, str], datetime] = {}
    started_at: dict[tuple[date, str], datetime] = {}
    for day, e in events:
        if isinstance(e, TicketIssued):
            key = (day, e.number)
            item_of[key] = e.item
            issued_at[key] = e.at
            out[e.item].issued += 1
        elif isinstance(e, TicketCalled):
            key = (day, e.number)
            if key in issued_at:                   # first call only: that is the wait
                out[item_of[key]].called += 1
                out[item_of[key]].waits.append((e.at - issued_at.pop(key)).total_seconds() / 60)
        elif isinstance(e, ServiceStarted):
            started_at[(day, e.number)] = e.at
        elif isinstance(e, ServiceFinished):
            key = (day, e.number)
            out[e.item].served += 1
            if key in started_at:
                out[e.item].services.append((e.at - started_at.pop(key)).total_seconds() / 60)
            if e.next_item is not None:
                item_of[key] = e.next_item
        elif isinstance(e, TicketNoShow):
            out[item_of.get((day, e.number), "?")].no_shows += 1
        elif isinstance(e, TicketVoided):
            key = (day, e.number)
            if issued_at.pop(key, None) is not None:      # voided only while never called
                out[item_of[key]].issued -= 1
                out[item_of[key]].voided += 1
        elif isinstance(e, DayEnded):
            for n in e.closed:
                out[item_of.get((day, n), "?")].closed_unserved += 1
    return dict(out)


@dataclass(frozen=True)
class Report:
    hall: str
    start: date
    end: date
    tickets: dict[str, TicketFigures]
    by_category: dict[str, CaseFigures]
    by_item: dict[str, CaseFigures]
    total: CaseFigures
    feedback: FeedbackFigures
    warnings: list[CaseLight]          # open cases yellow or red at the end of the period


def build_report(cfg: HallConfig, store: EventStore, start: date, end: date) -> Report:
    cal = WorkCalendar.from_config(cfg)
    queue_events: list[tuple[date, Any]] = []
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(events_t.c.seq, events_t.c.business_day)
                            .where(events_t.c.hall_id == cfg.hall.id, events_t.c.type.in_(QUEUE_TYPES),
                                   events_t.c.business_day >= start.isoformat(),
                                   events_t.c.business_day <= end.isoformat())
                            .order_by(events_t.c.seq.asc()).limit(1)).first()
    first = rows.seq - 1 if rows else None
    if first is not None:
        for _, e in store.events(after=first, types=QUEUE_TYPES):
            day = _day_of(e, cfg)
            if day > end:
                break
            if day >= start:
                queue_events.append((day, e))
    cases: CasesState = initial_cases()
    for _, e in store.events(types=case_event_types()):
        apply_case(cases, e)
    all_cases = list(cases.cases.values())
    return Report(
        hall=cfg.hall.id, start=start, end=end,
        tickets=ticket_figures(queue_events),
        by_category=case_figures(all_cases, cal, start, end, by="category"),
        by_item=case_figures(all_cases, cal, start, end, by="item"),
        total=case_figures(all_cases, cal, start, end).get("all", CaseFigures()),
        feedback=feedback_figures(cases.feedback.values(), start, end, hall=cfg.hall.id),
        warnings=warnings(cases, cal, end, cfg.cases.warning_days),
    )


def _day_of(e: Any, cfg: HallConfig) -> date:
    from .workdays import business_day
    return business_day(e.at, cfg.hall.timezone)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.1f}%"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}"


def case_row(key: str, name: str, f: CaseFigures) -> list[str]:
    return [key, name, str(f.opened), str(f.accepted), str(f.proxied), str(f.due), str(f.completed),
            _pct(f.completion_rate), str(f.on_time), _pct(f.on_time_rate), str(f.overdue), str(f.rated),
            str(f.bad_ratings), str(f.follow_ups_closed), str(f.follow_ups_open), _pct(f.satisfaction_rate)]


CASE_HEADER = ["key", "name", "opened", "accepted", "proxied", "due", "completed", "completion_rate",
               "on_time", "on_time_rate", "overdue", "rated", "bad_ratings", "follow_ups_closed",
               "follow_ups_open", "satisfaction_rate"]
TICKET_HEADER = ["item", "name", "category", "issued", "called", "served", "no_shows", "closed_unserved",
                 "voided", "mean_wait_min", "max_wait_min", "mean_service_min"]


def write_report(cfg: HallConfig, report: Report, out_dir: Path) -> list[Path]:
    """CSV files for spreadsheets, and one printable HTML page with charts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {i.code: i.name for i in cfg.items}
    cats = {c.key: c.name for c in cfg.categories}
    written = []

    def write_csv(name: str, header: list[str], rows: list[list[str]]) -> None:
        p = out_dir / name
        with p.open("w", newline="", encoding="utf-8-sig") as f:   # BOM: opens right in Excel/WPS
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        written.append(p)

    item_cat = {i.code: i.category for i in cfg.items}
    write_csv("tickets_by_item.csv", TICKET_HEADER, [
        [k, names.get(k, k), item_cat.get(k, ""), str(t.issued), str(t.called), str(t.served), str(t.no_shows),
         str(t.closed_unserved), str(t.voided), _num(t.mean_wait), _num(t.max_wait), _num(t.mean_service)]
        for k, t in sorted(report.tickets.items())])
    write_csv("cases_by_category.csv", CASE_HEADER,
              [case_row(k, cats.get(k, k), f) for k, f in report.by_category.items()]
              + [case_row("all", "合计", report.total)])
    write_csv("cases_by_item.csv", CASE_HEADER, [case_row(k, names.get(k, k), f) for k, f in report.by_item.items()])
    fb = report.feedback
    write_csv("feedback.csv", ["comments", "comments_replied", "complaints", "complaints_replied",
                               "complaints_replied_on_time", "complaints_open", "complaint_reply_rate"],
              [[str(fb.comments), str(fb.comments_replied), str(fb.complaints), str(fb.complaints_replied),
                str(fb.complaints_replied_on_time), str(fb.complaints_open), _pct(fb.complaint_reply_rate)]])
    write_csv("case_warnings.csv", ["case", "item", "status", "due", "light"],
              [[w.case, w.item_name, w.status, w.due.isoformat(), str(w.light)] for w in report.warnings])
    page = out_dir / "report.html"
    page.write_text(render_html(cfg, report), encoding="utf-8")
    written.append(page)
    return written


def _bars(rows: list[tuple[str, float, str]], max_value: float, colour: str = "#0d3373") -> str:
    """A horizontal bar chart as inline SVG: prints anywhere, needs no script."""
    h = 26
    width = 640
    label_w = 220
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h * len(rows) + 10}" role="img">']
    for i, (label, value, text) in enumerate(rows):
        y = i * h + 5
        w = 0 if max_value <= 0 else (width - label_w - 90) * value / max_value
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="14">{html.escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{h - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" font-size="13">{html.escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(cfg: HallConfig, r: Report) -> str:
    cats = {c.key: c.name for c in cfg.categories}
    names = {i.code: i.name for i in cfg.items}
    esc = html.escape
    rate_rows = [(cats.get(k, k), (f.completion_rate or 0) * 100, _pct(f.completion_rate) or "—")
                 for k, f in r.by_category.items() if f.due]
    ticket_rows = sorted(((names.get(k, k), t.issued, str(t.issued)) for k, t in r.tickets.items()),
                         key=lambda x: -x[1])[:15]
    level_rows = [(RATING_NAMES[lv][0], r.total.ratings.get(str(lv), 0), str(r.total.ratings.get(str(lv), 0)))
                  for lv in RatingLevel]

    def table(header: list[str], rows: list[list[str]]) -> str:
        head = "".join(f"<th>{esc(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    t = r.total
    case_table = table(["类别 Category", "受理 Accepted", "代办 Proxied", "应办结 Due", "办结 Completed",
                        "办结率 Rate", "按时 On time", "超期 Overdue", "评价 Rated", "差评 Bad"],
                       [[cats.get(k, k), str(f.accepted), str(f.proxied), str(f.due), str(f.completed),
                         _pct(f.completion_rate), _pct(f.on_time_rate), str(f.overdue), str(f.rated), str(f.bad_ratings)]
                        for k, f in r.by_category.items()]
                       + [["合计 Total", str(t.accepted), str(t.proxied), str(t.due), str(t.completed),
                           _pct(t.completion_rate), _pct(t.on_time_rate), str(t.overdue), str(t.rated), str(t.bad_ratings)]])
    tick_table = table(["事项 Item", "取号 Issued", "办理 Served", "过号 No-show", "作废 Voided",
                        "平均等候(分) Mean wait", "最长等候(分) Max wait", "平均办理(分) Mean service"],
                       [[names.get(k, k), str(x.issued), str(x.served), str(x.no_shows), str(x.voided), _num(x.mean_wait),
                         _num(x.max_wait), _num(x.mean_service)] for k, x in sorted(r.tickets.items())])
    fb = r.feedback
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{esc(cfg.hall.name)} 政务服务统计报告 {r.start} — {r.end}</title>
<style>
 body {{ font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; margin: 2em; color: #111; }}
 h1 {{ color: #0d3373; border-bottom: 3px solid #c71a1f; padding-bottom: .3em; }}
 h2 {{ color: #0d3373; margin-top: 1.6em; }}
 table {{ border-collapse: collapse; margin: .6em 0; font-size: 14px; }}
 th, td {{ border: 1px solid #999; padding: 4px 8px; text-align: right; }}
 th:first-child, td:first-child {{ text-align: left; }}
 thead {{ background: #e8edf6; }}
 .kpi {{ display: inline-block; margin: 0 2em .5em 0; }}
 .kpi b {{ display: block; font-size: 28px; color: #c71a1f; }}
 @media print {{ body {{ margin: 1cm; }} h2 {{ page-break-after: avoid; }} }}
</style></head><body>
<h1>{esc(cfg.hall.name)} 政务服务统计报告<br><small>{esc(cfg.hall.name_en)} — service report {r.start} to {r.end}</small></h1>
<div class="kpi">办结率 Completion rate<b>{_pct(t.completion_rate) or "—"}</b></div>
<div class="kpi">按时办结率 On-time rate<b>{_pct(t.on_time_rate) or "—"}</b></div>
<div class="kpi">受理 Accepted<b>{t.accepted}</b></div>
<div class="kpi">全程代办 Proxied<b>{t.proxied}</b></div>
<div class="kpi">满意率 Satisfaction<b>{_pct(t.satisfaction_rate) or "—"}</b></div>
<div class="kpi">投诉答复率 Complaints answered<b>{_pct(fb.complaint_reply_rate) or "—"}</b></div>
<h2>各类事项办结率 Completion rate by category</h2>
{_bars(rate_rows, 100.0) if rate_rows else "<p>本期无到期办件 No cases due in this period.</p>"}
{case_table}
<h2>办件预警 Deadline warnings (at {r.end})</h2>
{table(["办件 Case", "事项 Item", "状态 Status", "期限 Due", "预警 Light"],
       [[w.case, w.item_name, w.status, w.due.isoformat(), "红 overdue" if str(w.light) == "red" else "黄 due soon"]
        for w in r.warnings]) if r.warnings else "<p>无 None.</p>"}
<h2>取号与等候 Tickets and waits</h2>
{_bars(ticket_rows, max((x[1] for x in ticket_rows), default=1), "#c71a1f") if ticket_rows else "<p>本期无取号 No tickets.</p>"}
{tick_table}
<h2>好差评 Ratings</h2>
{_bars(level_rows, max((x[1] for x in level_rows), default=1), "#1a8c4d")}
<p>差评回访 Follow-ups of bad ratings: 已关闭 closed {t.follow_ups_closed}，未关闭 open {t.follow_ups_open}</p>
<h2>意见簿与举报箱 Comments and complaints</h2>
<p>意见 Comments: {fb.comments}（已答复 replied {fb.comments_replied}）；
投诉举报 Complaints: {fb.complaints}（已答复 replied {fb.complaints_replied}，按时 on time {fb.complaints_replied_on_time}，未答复 open {fb.complaints_open}）</p>
<p style="color:#666;font-size:12px">办结率 = 本期办结 / 本期应办结（本期办结，加上截至期末未办结且承诺期限落在本期内的办件）。Generated by yimen.</p>
</body></html>
"""


def render_handbook(cfg: HallConfig, delegated_only: bool = True) -> str:
    """The staff handbook of delegated items (下放事项工作手册) from the catalogue."""
    esc = html.escape
    items = [i for i in cfg.items if i.status == "active" and (i.delegated_by or not delegated_only)]
    cats = {c.key: c.name for c in cfg.categories}
    parts = []
    for n, i in enumerate(items, 1):
        mats = "".join(f"<li>{esc(m)}</li>" for m in i.materials) or "<li>无 None</li>"
        parts.append(f"""<section><h2>{n}. {esc(i.name)} <small>{esc(i.code)} · {esc(i.name_en)}</small></h2>
<table>
<tr><th>类别 Category</th><td>{esc(cats.get(i.category, i.category))}</td></tr>
<tr><th>下放部门 Delegated by</th><td>{esc(i.delegated_by or "—")}</td></tr>
<tr><th>审批依据 Legal basis</th><td>{esc(i.legal_basis or "—")}</td></tr>
<tr><th>审批条件 Conditions</th><td>{esc(i.conditions or "—")}</td></tr>
<tr><th>审批程序 Procedure</th><td>{esc(i.procedure or "—")}</td></tr>
<tr><th>承诺时限 Promised limit</th><td>{i.promised_days} 个工作日 working days（法定 legal {i.legal_days}）</td></tr>
<tr><th>收费 Fee</th><td>{esc(i.fee)}</td></tr>
<tr><th>申报材料 Materials</th><td><ol>{mats}</ol></td></tr>
</table></section>""")
    title = "下放事项工作手册" if delegated_only else "公共服务事项清单"
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(cfg.hall.name)} {title}</title>
<style>body{{font-family:"WenQuanYi Zen Hei","Noto Sans CJK SC",sans-serif;margin:2em}} h1{{color:#0d3373}}
table{{border-collapse:collapse;width:100%}} th{{width:10em;text-align:left;background:#e8edf6}}
th,td{{border:1px solid #999;padding:4px 8px;vertical-align:top}} section{{page-break-inside:avoid;margin-bottom:1.5em}}</style>
</head><body><h1>{esc(cfg.hall.name)} {title}<br><small>{esc(cfg.hall.name_en)}</small></h1>
<p>共 {len(items)} 项 items.</p>{''.join(parts)}</body></html>"""
