"""A case desk you can talk to in the hall's words: the pure case engine, no store.

``desk.do(cmd, on="2026-09-28")`` decides, asserts it was accepted, folds the events
and keeps them, so a test can replay them or search them for leaks.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.cases import (
    CASE_EVENTS, CaseCommand, CaseContext, CaseEvent, CaseRejectionCode, CaseRules, CasesState,
    apply, decide, initial_cases,
)
from queue_server.config import HallConfig

TZ = ZoneInfo("Asia/Shanghai")

FOOD = "SC-0101"        # 食品经营许可证: 10 promised / 20 legal working days
HEALTH_CERT = "WS-0201"  # 健康证: 5 / 15
DIBAO = "MZ-0701"        # 最低生活保障: delegated by county civil affairs, 20 / 30
MEDICAL = "YB-0501"      # 医疗报销: needs the full ID number, 15 / 30
ADVICE = "ZX-0001"       # 政策咨询: consultation, no case
OLD_ITEM = "SC-0199"     # withdrawn by the county

FOOD_MATERIALS = ["食品经营许可申请书", "营业执照复印件", "法定代表人身份证明", "经营场所平面图", "食品安全管理制度文本"]


def hall_config(code: str = "XC01", hall_id: str = "xc-town", **calendar: Any) -> HallConfig:
    """A township hall with the report's items, two agents and optional calendar overrides."""
    return HallConfig.model_validate({
        "hall": {"id": hall_id, "code": code, "name": "某某县新城镇便民服务中心",
                 "name_en": "Xincheng Township Service Centre", "level": "township",
                 "business_hours": {d: ["09:00-12:00", "14:30-17:30"] for d in ("mon", "tue", "wed", "thu", "fri")}},
        "categories": [
            {"key": "market", "name": "市场监管", "name_en": "Market Regulation"},
            {"key": "health", "name": "卫生健康", "name_en": "Health"},
            {"key": "civil", "name": "民政", "name_en": "Civil Affairs"},
            {"key": "social", "name": "社保医保", "name_en": "Social and Medical Insurance"},
            {"key": "general", "name": "综合服务", "name_en": "General"},
        ],
        "items": [
            {"code": FOOD, "name": "食品经营许可证（新办）", "name_en": "Food business licence", "category": "market",
             "prefix": "A", "promised_days": 10, "legal_days": 20, "materials": FOOD_MATERIALS, "version": 3},
            {"code": HEALTH_CERT, "name": "餐饮行业从业人员健康证", "name_en": "Food-service staff health certificate",
             "category": "health", "prefix": "B", "promised_days": 5, "legal_days": 15,
             "materials": ["体检申请表", "身份证"]},
            {"code": DIBAO, "name": "最低生活保障申请", "name_en": "Minimum living allowance", "category": "civil",
             "prefix": "C", "promised_days": 20, "legal_days": 30, "delegated_by": "县民政局",
             "materials": ["低保申请书", "户口簿", "身份证", "家庭收入及财产状况说明"]},
            {"code": MEDICAL, "name": "医疗费用报销", "name_en": "Medical expense reimbursement", "category": "social",
             "prefix": "D", "promised_days": 15, "legal_days": 30, "needs_full_id": True,
             "materials": ["身份证", "医疗费用发票", "出院小结"]},
            {"code": ADVICE, "name": "政策咨询", "name_en": "Policy advice", "category": "general",
             "prefix": "E", "kind": "consultation"},
            {"code": OLD_ITEM, "name": "已取消的审批事项", "name_en": "A cancelled approval", "category": "market",
             "prefix": "A", "status": "withdrawn", "promised_days": 5},
        ],
        "windows": [
            {"number": 1, "name": "市场监管窗口", "name_en": "Market", "items": [FOOD, OLD_ITEM],
             "responsible": "王芳", "responsible_title": "市场监管所副所长"},
            {"number": 2, "name": "卫生民政窗口", "name_en": "Health and civil", "items": [HEALTH_CERT, DIBAO],
             "responsible": "李强", "responsible_title": "民政办主任"},
            {"number": 3, "name": "综合窗口", "name_en": "General", "general": True,
             "responsible": "赵敏", "responsible_title": "便民服务中心主任"},
        ],
        "agents": [
            {"id": "agent-liu", "name": "刘代办", "level": "township", "area": "新城镇"},
            {"id": "agent-he", "name": "何代办", "level": "village", "area": "河西村"},
        ],
        "calendar": calendar,
    })


def on(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in the hall's local time on a business day written 2026-09-28."""
    return datetime.combine(date.fromisoformat(day), time(hour, minute), TZ)


def d(day: str) -> date:
    return date.fromisoformat(day)


class CaseDesk:
    def __init__(self, cfg: HallConfig | None = None, rules: CaseRules | None = None):
        self.ctx = CaseContext.of(cfg or hall_config(), rules)
        self.state: CasesState = initial_cases()
        self.events: list[CaseEvent] = []

    @property
    def cal(self):  # type: ignore[no-untyped-def]
        return self.ctx.cal

    def do(self, cmd: CaseCommand, on_day: str, hour: int = 10) -> list[CaseEvent]:
        decision = decide(self.ctx, self.state, cmd, on(on_day, hour))
        assert decision.ok, f"refused: {decision.rejected}"
        for e in decision.events:
            apply(self.state, e)
        self.events.extend(decision.events)
        return decision.events

    def refuse(self, cmd: CaseCommand, on_day: str = "2026-11-25") -> CaseRejectionCode:
        decision = decide(self.ctx, self.state, cmd, on(on_day))
        assert not decision.ok, f"expected a refusal, got {decision.events}"
        assert decision.rejected is not None
        return decision.rejected.code

    def case(self, number: str):  # type: ignore[no-untyped-def]
        return self.state.cases[number]

    def wire(self) -> str:
        """Every event as the store would keep it."""
        return json.dumps([[type(e).__name__, CASE_EVENTS.to_dict(e)] for e in self.events], ensure_ascii=False)
