"""Read-only views the printer, the hall board and the manager console show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import HallConfig
from ..workdays import WorkCalendar
from .deadlines import DEFAULT_WARNING_DAYS, DeadlineStatus, deadline_status, promised_due
from .model import PROXY_NAMES, PROXY_STEPS, PROXY_TRANSITIONS, Case, CasesState, ProxyStep


@dataclass(frozen=True)
class OneTimeNotice:
    """What the printer prints for 一次性告知: everything missing, once, with a date."""

    title: str
    title_en: str
    hall_name: str
    case: str
    item: str
    item_name: str
    applicant: str
    missing: tuple[str, ...]
    supply_by: date
    issued_on: date
    window: int | None
    clerk: str
    note: str


def one_time_notice(case: Case, cfg: HallConfig) -> OneTimeNotice | None:
    """The notice for a case that was told what is missing; None if it never was."""
    n = case.notice
    if n is None:
        return None
    return OneTimeNotice(
        title="一次性告知书", title_en="One-time notice of missing materials",
        hall_name=cfg.hall.name, case=case.number, item=case.item, item_name=case.item_name,
        applicant=case.applicant, missing=n.missing, supply_by=n.supply_by, issued_on=n.issued_on,
        window=case.window, clerk=n.by, note=n.note)


@dataclass(frozen=True)
class ProxyView:
    case: str
    item_name: str
    applicant: str
    agent: str
    agent_name: str
    step: ProxyStep
    step_name: str
    step_name_en: str
    steps_done: int          # of 7
    next_step: ProxyStep | None
    case_status: str
    light: DeadlineStatus


def proxy_board(state: CasesState, cfg: HallConfig, cal: WorkCalendar, today: date,
                warning_days: int = DEFAULT_WARNING_DAYS) -> list[ProxyView]:
    """Where every proxied case stands, oldest first, for the hall and the agents."""
    names = {a.id: a.name for a in cfg.agents}
    out = []
    for case in sorted(state.cases.values(), key=lambda c: c.opened_at):
        p = case.proxy
        if p is None:
            continue
        nxt = next(iter(PROXY_TRANSITIONS[p.step]), None)
        zh, en = PROXY_NAMES[p.step]
        out.append(ProxyView(case=case.number, item_name=case.item_name, applicant=case.applicant,
                             agent=p.agent, agent_name=names.get(p.agent, p.agent), step=p.step,
                             step_name=zh, step_name_en=en, steps_done=PROXY_STEPS.index(p.step) + 1,
                             next_step=nxt, case_status=str(case.status),
                             light=deadline_status(case, today, cal, warning_days)))
    return out


@dataclass(frozen=True)
class CaseLight:
    case: str
    item_name: str
    status: str
    due: date
    light: DeadlineStatus


def warnings(state: CasesState, cal: WorkCalendar, today: date,
             warning_days: int = DEFAULT_WARNING_DAYS) -> list[CaseLight]:
    """Open cases with a yellow or red light, most urgent first (for managers)."""
    out = []
    for case in state.cases.values():
        light = deadline_status(case, today, cal, warning_days)
        if light is not DeadlineStatus.OK:
            out.append(CaseLight(case.number, case.item_name, str(case.status),
                                 promised_due(case, cal, today), light))
    return sorted(out, key=lambda c: (c.light is not DeadlineStatus.RED, c.due, c.case))
