"""The kiosk's screens: they only read the view-model and call its verbs.

The whole body is rebuilt from the view-model on every change (a few dozen widgets,
well under a frame): no screen keeps state of its own, so what is shown is always
what the view-model says. Portrait and landscape share the code; the number of
columns follows the window's shape.
"""

from __future__ import annotations

from typing import Any, Callable

from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.ui import BLUE, DARK, GOLD, GREEN, GREY, LIGHT, RED, WHITE

from .texts import pick
from .viewmodel import KioskViewModel, Screen
from .widgets import KButton, Panel, label, spacer

INK = (0.08, 0.10, 0.16, 1)
SOFT = (0.30, 0.34, 0.40, 1)
AMBER = (0.85, 0.45, 0.05, 1)
CARD = (1, 1, 1, 1)
PALE_RED = (1.0, 0.92, 0.92, 1)


class KioskRoot(Panel):
    """Header (hall, clock, language, text size), a status banner, the body, the footer."""

    def __init__(self, vm: KioskViewModel, clock_text: Callable[[str], str], **kw: Any) -> None:
        super().__init__(bg=LIGHT, orientation="vertical", **kw)
        self.vm = vm
        self._clock_text = clock_text
        self._clock_label: Any = None
        self.render()

    # -- sizes ------------------------------------------------------------------------
    @property
    def portrait(self) -> bool:
        return Window.height >= Window.width

    def fs(self, base: float, scaled: bool = True) -> int:
        """Font size: scaled to the short side of the screen and (unless the header) large text."""
        # Whole pixels: every distinct size is another font object in the text provider.
        return round(base * min(Window.width, Window.height) / 1080 * (self.vm.font_scale if scaled else 1.0))

    # -- the frame ----------------------------------------------------------------------
    def render(self, *_: Any) -> None:
        self.clear_widgets()
        self.add_widget(self._header())
        banner = self._banner()
        if banner is not None:
            self.add_widget(banner)
        body = BoxLayout(orientation="vertical", padding=self.fs(36), spacing=self.fs(24))
        _BODIES[self.vm.screen](self, body)
        self.add_widget(body)
        self.add_widget(self._footer())

    def fs0(self, base: float) -> int:
        return self.fs(base, scaled=False)

    def update_clock(self) -> None:
        if self._clock_label is not None:
            self._clock_label.text = self._clock_text(self.vm.lang)

    def _header(self) -> Widget:
        vm = self.vm
        bar = Panel(bg=BLUE, size_hint_y=None, height=self.fs0(150), padding=(self.fs0(30), self.fs0(14)),
                    spacing=self.fs0(20))
        names = BoxLayout(orientation="vertical")
        names.add_widget(label(vm.cat.hall_name_en if vm.lang == "en" else vm.cat.hall_name, self.fs0(46), WHITE,
                               bold=True, fill=True, shorten=True))
        self._clock_label = label(self._clock_text(vm.lang), self.fs0(30), GOLD, fill=True)
        names.add_widget(self._clock_label)
        bar.add_widget(names)
        for text, key, tap in ((vm.t("lang_switch"), "lang", vm.toggle_lang),
                               (vm.t("large_off" if vm.large else "large_on"), "large", vm.toggle_large)):
            bar.add_widget(KButton(text, key, tap, bg=WHITE, fg=BLUE, font_size=self.fs0(34),
                                   size_hint_x=None, width=self.fs0(220)))
        return bar

    def _banner(self) -> Widget | None:
        vm = self.vm
        if not vm.online:
            return self._strip(vm.t("offline_banner"), RED, "banner:offline")
        if vm.person.priority:
            return self._strip(vm.t("staff_mode", cls=vm.priority_name()), GREEN, "banner:staff")
        if vm.person.id_mask:
            return self._strip(vm.t("identity", mask=vm.person.id_mask) + "  " + vm.t("identity_hint"), GREEN,
                               "banner:identity")
        if not vm.printer_ok:
            return self._strip(vm.t("printer_banner"), AMBER, "banner:printer")
        return None

    def _strip(self, text: str, bg: Any, key: str) -> Widget:
        strip = Panel(bg=bg, size_hint_y=None, height=self.fs(80), padding=(self.fs(30), 0))
        lab = label(text, self.fs(34), WHITE, bold=True, fill=True)
        lab.key = key  # type: ignore[attr-defined]
        strip.add_widget(lab)
        return strip

    def _footer(self) -> Widget:
        vm = self.vm
        bar = BoxLayout(size_hint_y=None, height=self.fs(150), padding=(self.fs(36), self.fs(18)), spacing=self.fs(30))
        if vm.screen is Screen.HOME:
            bar.add_widget(KButton(vm.t("scan_entry"), "scan", vm.open_scan, bg=GREEN, font_size=self.fs(46)))
            if vm.person.staff:
                bar.add_widget(KButton(vm.t("staff_cancel"), "staff:leave", vm.leave_staff, bg=GREY,
                                       font_size=self.fs(30), size_hint_x=0.4))
            else:
                bar.add_widget(KButton(vm.t("staff_entry"), "staff", vm.open_staff, bg=GREY, font_size=self.fs(30),
                                       size_hint_x=0.3))
            return bar
        if vm.screen in (Screen.ITEM, Screen.CATEGORY):
            bar.add_widget(KButton(vm.t("back"), "back", vm.back, bg=GREY, font_size=self.fs(42)))
        bar.add_widget(KButton(vm.t("home"), "home", vm.go_home, bg=BLUE, font_size=self.fs(42)))
        return bar

    # -- bodies ---------------------------------------------------------------------------------
    def _title(self, body: BoxLayout, text: str, size: float = 56) -> None:
        body.add_widget(label(text, self.fs(size), INK, bold=True, halign="center"))

    def home(self, body: BoxLayout) -> None:
        vm = self.vm
        self._title(body, vm.t("choose_category"))
        cols = 2 if self.portrait else 4
        grid = GridLayout(cols=cols, spacing=self.fs(24))
        for c in vm.cat.categories:
            text = pick((c.name, c.name_en), vm.lang)
            if vm.lang == "zh":     # English names often need two lines: no room for the count
                text += f"\n[size={int(self.fs(30))}]{vm.t('items_count', n=len(c.items))}[/size]"
            btn = KButton(text, f"cat:{c.key}", lambda k=c.key: vm.open_category(k), bg=BLUE,
                          font_size=self.fs(54 if vm.lang == "zh" else 38), markup=True)
            grid.add_widget(btn)
        body.add_widget(grid)

    def category(self, body: BoxLayout) -> None:
        vm = self.vm
        cat = vm.cat.category(vm.category or "")
        if cat is None:
            return
        self._title(body, pick((cat.name, cat.name_en), vm.lang))
        body.add_widget(label(vm.t("choose_item"), self.fs(36), SOFT, halign="center"))
        grid = GridLayout(cols=1 if self.portrait else 2, spacing=self.fs(24))
        for code in cat.items:
            grid.add_widget(self._item_button(code))
        for _ in range(max(0, (5 if self.portrait else 6) - len(cat.items))):
            grid.add_widget(spacer())
        body.add_widget(grid)

    def _item_button(self, code: str) -> Widget:
        vm = self.vm
        info = vm.item_info(code)
        q = vm.queue(code)
        if q and q.full:
            sub, bg = vm.t("full_today"), GREY
        elif q and q.paused:
            sub, bg = vm.t("paused"), GREY
        else:
            sub, bg = (vm.t("waiting_now", n=q.waiting) if q else vm.t("waiting_unknown")), BLUE
        text = f"{pick((info.name, info.name_en), vm.lang)}\n[size={int(self.fs(32))}]{sub}[/size]"
        return KButton(text, f"item:{code}", lambda: vm.open_item(code), bg=bg, font_size=self.fs(46), markup=True)

    def item(self, body: BoxLayout) -> None:
        vm = self.vm
        if vm.item is None:
            return
        info = vm.item_info(vm.item)
        self._title(body, pick((info.name, info.name_en), vm.lang), 60)
        row = BoxLayout(orientation="vertical" if self.portrait else "horizontal", spacing=self.fs(30))
        row.add_widget(self._item_facts(vm.item))
        row.add_widget(self._take_panel(vm.item))
        body.add_widget(row)

    def _item_facts(self, code: str) -> Widget:
        vm = self.vm
        info = vm.item_info(code)
        card = Panel(bg=CARD, radius=self.fs(16), orientation="vertical", padding=self.fs(30), spacing=self.fs(12))
        card.add_widget(label(vm.t("materials"), self.fs(40), BLUE, bold=True))
        lines = [f"{i}. {m}" for i, m in enumerate(info.materials, 1)] or [vm.t("no_materials")]
        card.add_widget(label("\n".join(lines), self.fs(38), INK))
        days = vm.t("promised_days", n=info.promised_days) if info.promised_days else vm.t("promised_now")
        card.add_widget(label(days, self.fs(36), INK))
        windows = "、".join(self._window_name(n) for n in info.windows[:3])
        card.add_widget(label(f"{vm.t('windows')}：{windows}", self.fs(36), INK))
        card.add_widget(spacer())
        return card

    def _window_name(self, number: int) -> str:
        vm = self.vm
        w = vm.cat.windows.get(number)
        base = vm.t("window_n", n=number)
        return f"{base}（{pick((w.name, w.name_en), vm.lang)}）" if w and vm.lang == "zh" else base

    def _take_panel(self, code: str) -> Widget:
        vm = self.vm
        q = vm.queue(code)
        box = BoxLayout(orientation="vertical", spacing=self.fs(20), size_hint_y=0.8 if self.portrait else 1)
        if q is None:
            box.add_widget(label(vm.t("waiting_unknown"), self.fs(44), SOFT, halign="center"))
        else:
            box.add_widget(label(vm.t("waiting_now", n=q.waiting), self.fs(56), INK, bold=True, halign="center"))
            box.add_widget(label(vm.t("wait_range", lo=q.wait_minutes[0], hi=q.wait_minutes[1]), self.fs(44), INK,
                                 halign="center"))
        if q and (q.full or q.paused):
            key = "full_today" if q.full else "paused"
            box.add_widget(KButton(vm.t(key), "take", vm.take_ticket, bg=GREY, font_size=self.fs(80)))
            box.add_widget(label(vm.t(f"{key}_hint"), self.fs(34), RED, halign="center"))
        elif vm.busy:
            box.add_widget(KButton(vm.t("taking"), "take", vm.take_ticket, bg=GREY, font_size=self.fs(56)))
        else:
            box.add_widget(KButton(vm.t("take_ticket"), "take", vm.take_ticket, bg=RED, font_size=self.fs(110),
                                   bold=True))
        return box

    def scan(self, body: BoxLayout) -> None:
        vm = self.vm
        self._title(body, vm.t("scan_title"), 64)
        card = Panel(bg=CARD, radius=self.fs(16), orientation="vertical", padding=self.fs(40), spacing=self.fs(30))
        card.add_widget(label(vm.t("scan_hint"), self.fs(46), INK, halign="center", fill=True))
        card.add_widget(label("▼  ▼  ▼", self.fs(120), GREEN, halign="center", fill=True))
        card.add_widget(label(vm.t("checking_in") if vm.busy else vm.t("scan_wait"), self.fs(40), SOFT,
                              halign="center", fill=True))
        body.add_widget(card)

    def pin(self, body: BoxLayout) -> None:
        vm = self.vm
        self._title(body, vm.t("pin_title"))
        body.add_widget(label("●" * len(vm.pin_entry) or "—", self.fs(80), INK, halign="center"))
        pad = GridLayout(cols=3, spacing=self.fs(18), size_hint=(0.8 if self.portrait else 0.5, 1),
                         pos_hint={"center_x": 0.5})
        for d in "123456789":
            pad.add_widget(KButton(d, f"pin:{d}", lambda d=d: vm.pin_digit(d), bg=BLUE, font_size=self.fs(64)))
        pad.add_widget(KButton(vm.t("pin_clear"), "pin:clear", vm.pin_clear, bg=GREY, font_size=self.fs(40)))
        pad.add_widget(KButton("0", "pin:0", lambda: vm.pin_digit("0"), bg=BLUE, font_size=self.fs(64)))
        pad.add_widget(KButton(vm.t("pin_ok"), "pin:ok", vm.pin_submit, bg=GREEN, font_size=self.fs(40)))
        body.add_widget(pad)

    def priority(self, body: BoxLayout) -> None:
        vm = self.vm
        self._title(body, vm.t("priority_title"))
        grid = GridLayout(cols=2, spacing=self.fs(24))
        for p in vm.cat.priority_classes:
            grid.add_widget(KButton(pick((p.name, p.name_en), vm.lang), f"prio:{p.key}",
                                    lambda k=p.key: vm.choose_priority(k), bg=GREEN, font_size=self.fs(60)))
        body.add_widget(grid)

    def result(self, body: BoxLayout) -> None:
        """The number, large; in landscape the details sit beside it."""
        vm = self.vm
        r = vm.result
        if r is None:
            return
        card = Panel(bg=CARD if r.printed else PALE_RED, radius=self.fs(16), orientation="vertical",
                     padding=self.fs(30), spacing=self.fs(8))
        if r.ticket.get("priority"):
            card.add_widget(label(vm.t("priority_badge"), self.fs(44), GREEN, bold=True, halign="center"))
        card.add_widget(label(vm.t("your_number"), self.fs(48), SOFT, halign="center"))
        number = label(r.number, self.fs(300 if self.portrait else 240), RED, bold=True, halign="center")
        number.key = "number"  # type: ignore[attr-defined]
        card.add_widget(number)
        details = card if self.portrait else BoxLayout(orientation="vertical", spacing=self.fs(16))
        self._ticket_details(details)
        if self.portrait:
            card.add_widget(spacer())
            body.add_widget(card)
            self._print_status(body)
            return
        card.add_widget(spacer())
        row = BoxLayout(spacing=self.fs(30))
        row.add_widget(card)
        details.add_widget(spacer())
        self._print_status(details)
        details.add_widget(spacer())
        row.add_widget(details)
        body.add_widget(row)

    def _ticket_details(self, box: BoxLayout) -> None:
        vm = self.vm
        t = vm.result.ticket if vm.result else {}
        lo, hi = t["wait_minutes"]
        box.add_widget(label(pick((t["item_name"], t["item_name_en"]), vm.lang), self.fs(48), INK, halign="center"))
        box.add_widget(label(f"{vm.t('ahead', n=t['people_ahead'])}    {vm.t('wait_range', lo=lo, hi=hi)}",
                             self.fs(44), INK, bold=True, halign="center"))
        windows = "、".join(vm.t("window_n", n=n) for n in t["windows"][:3])
        box.add_widget(label(vm.t("go_windows", windows=windows), self.fs(38), INK, halign="center"))

    def _print_status(self, box: BoxLayout) -> None:
        vm = self.vm
        r = vm.result
        if r is not None and r.printed:
            box.add_widget(label(vm.t("take_paper") + "  ▼", self.fs(60), GREEN, bold=True, halign="center"))
            return
        box.add_widget(label(f"{vm.t('print_failed')}（{vm.printer_reason_text()}）", self.fs(54), RED,
                             bold=True, halign="center"))
        box.add_widget(label(vm.t("print_failed_hint"), self.fs(40), INK, halign="center"))

    def message(self, body: BoxLayout) -> None:
        vm = self.vm
        m = vm.message
        if m is None:
            return
        card = Panel(bg=PALE_RED if m.error else CARD, radius=self.fs(16), orientation="vertical",
                     padding=self.fs(40), spacing=self.fs(30))
        card.add_widget(spacer())
        card.add_widget(label(vm.pick(m.title), self.fs(72), RED if m.error else BLUE, bold=True, halign="center"))
        card.add_widget(label(vm.pick(m.body), self.fs(50), INK, halign="center"))
        if m.hint:
            card.add_widget(label(vm.pick(m.hint), self.fs(40), SOFT, halign="center"))
        card.add_widget(spacer())
        body.add_widget(card)
        body.add_widget(KButton(vm.t("ok"), "ok", vm.dismiss, bg=BLUE, font_size=self.fs(56), size_hint_y=0.25))


_BODIES: dict[Screen, Callable[[KioskRoot, BoxLayout], None]] = {
    Screen.HOME: KioskRoot.home,
    Screen.CATEGORY: KioskRoot.category,
    Screen.ITEM: KioskRoot.item,
    Screen.SCAN: KioskRoot.scan,
    Screen.PIN: KioskRoot.pin,
    Screen.PRIORITY: KioskRoot.priority,
    Screen.RESULT: KioskRoot.result,
    Screen.MESSAGE: KioskRoot.message,
}

__all__ = ["KioskRoot", "DARK"]
