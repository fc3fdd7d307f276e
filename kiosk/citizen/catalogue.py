"""The kiosk's view of the hall's catalogue, and the printed slip built from a reply.

Pure (no Kivy, no MQTT): derived once from the typed hall config, so screens never
reach into config objects and withdrawn items can't slip onto a button.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from devices.ticket import TicketSlip
from queue_server.config import HallConfig, ItemStatus


@dataclass(frozen=True)
class ItemInfo:
    code: str
    name: str
    name_en: str
    category: str
    materials: tuple[str, ...]
    promised_days: int
    windows: tuple[int, ...]


@dataclass(frozen=True)
class CategoryInfo:
    key: str
    name: str
    name_en: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class WindowInfo:
    number: int
    name: str
    name_en: str


@dataclass(frozen=True)
class PriorityInfo:
    key: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Catalogue:
    """What the kiosk offers: active items only, grouped by category in config order."""

    hall_name: str
    hall_name_en: str
    categories: tuple[CategoryInfo, ...]
    items: Mapping[str, ItemInfo]
    windows: Mapping[int, WindowInfo]
    priority_classes: tuple[PriorityInfo, ...]

    def category(self, key: str) -> CategoryInfo | None:
        return next((c for c in self.categories if c.key == key), None)

    def priority(self, key: str) -> PriorityInfo | None:
        return next((p for p in self.priority_classes if p.key == key), None)


def _windows_for(cfg: HallConfig, code: str) -> tuple[int, ...]:
    """Dedicated windows first, then general windows (as the server's ticket view does)."""
    own = [w.number for w in cfg.windows if code in w.items]
    general = [w.number for w in cfg.windows if w.general and code not in w.items]
    return tuple(own + general)


def catalogue_from_config(cfg: HallConfig) -> Catalogue:
    items = {
        i.code: ItemInfo(i.code, i.name, i.name_en, i.category, tuple(i.materials), i.promised_days,
                         _windows_for(cfg, i.code))
        for i in cfg.items if i.status is ItemStatus.ACTIVE
    }
    categories = tuple(
        CategoryInfo(c.key, c.name, c.name_en, tuple(code for code, i in items.items() if i.category == c.key))
        for c in cfg.categories
    )
    return Catalogue(
        hall_name=cfg.hall.name,
        hall_name_en=cfg.hall.name_en,
        categories=tuple(c for c in categories if c.items),
        items=items,
        windows={w.number: WindowInfo(w.number, w.name, w.name_en) for w in cfg.windows},
        priority_classes=tuple(PriorityInfo(p.key, p.name, p.name_en) for p in cfg.rules.priority_classes),
    )


def slip_from_ticket(ticket: Mapping[str, Any], cat: Catalogue) -> TicketSlip:
    """The devices' ticket slip from the server's ticket view (never an ID number)."""
    item = cat.items.get(str(ticket["item"]))
    low, high = ticket["wait_minutes"]
    return TicketSlip(
        hall_name=cat.hall_name,
        hall_name_en=cat.hall_name_en,
        ticket_number=str(ticket["number"]),
        item_name=str(ticket["item_name"]),
        item_name_en=str(ticket["item_name_en"]),
        people_ahead=int(ticket["people_ahead"]),
        wait_minutes=(int(low), int(high)),
        issued_at=datetime.fromisoformat(str(ticket["issued_at"])),
        windows=tuple(str(w) for w in ticket["windows"]),
        qr_payload=str(ticket["qr"]),
        priority=bool(ticket.get("priority")),
        materials=item.materials if item else (),
    )
