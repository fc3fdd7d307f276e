"""The real kiosk under Xvfb against a real Mosquitto and the MQTT server over SQLite.

One Kivy App per process is what Kivy supports reliably, so one app instance (module
fixture) is driven through every flow in order, by dispatching on_press/on_release on
the real buttons and stepping Kivy's event loop. Each screen is photographed and
checked for content (pixel spread) and for its Chinese text in the widget tree.
The tests are ordered: each starts from the home screen the previous one left.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from PIL import Image, ImageStat

from devices.camera import decode_image
from devices.codes import make_appointment_code
from devices.escpos_reader import read_escpos
from devices.health import Reason
from devices.id_number import keyed_hash
from queue_server.config import HallConfig
from queue_server.hall import open_hall
from queue_server.mqtt.broker import BrokerProcess, Credentials, free_port, write_broker_config
from queue_server.mqtt.client import HallClient
from queue_server.mqtt.schemas import DeviceHealth
from queue_server.mqtt.server import MqttServer

from .conftest import NOW

pytestmark = pytest.mark.display

ID_A = "110101199003070011"
ID_BAD = "110101199003070012"
SHOT_DIR_ENV = "YIMEN_KIOSK_SHOTS"       # copy the screenshots there (for docs/img)


class World:
    """The hall (broker + server), the kiosk app, and helpers to drive it."""

    def __init__(self, cfg: HallConfig, root: Path) -> None:
        self.cfg = cfg
        self.root = root
        self.shots = root / "shots"
        self.shots.mkdir()
        self.data = root / "data"
        files = write_broker_config(cfg, self.data / "broker", port=free_port())
        self.creds_path = files.credentials
        self.creds = Credentials.load(files.credentials)
        self.broker = BrokerProcess(files)
        self.app: Any = None
        self.server: MqttServer | None = None
        self.manager: HallClient | None = None
        self.health: list[DeviceHealth] = []

    # -- the hall's side ----------------------------------------------------------------------
    def start_server(self) -> None:
        self.server = MqttServer(self.hall, self.creds)
        self.server.start()

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def manage(self, kind: str, **args: Any) -> Any:
        assert self.manager is not None
        reply = self.manager.request(kind, args, timeout=5)
        assert reply.ok, reply.error
        return reply.result

    def tickets(self) -> dict[str, Any]:
        day = self.hall.service.state.day
        return dict(day.tickets) if day else {}

    # -- driving the app ----------------------------------------------------------------------------
    @property
    def vm(self) -> Any:
        return self.app.vm

    def pump(self, until: Callable[[], bool] | None = None, timeout: float = 5.0, frames: int = 3) -> None:
        from kivy.base import EventLoop

        deadline = time.monotonic() + timeout
        done = 0
        while True:
            EventLoop.idle()
            done += 1
            if (until is None and done >= frames) or (until is not None and until()):
                break
            assert time.monotonic() < deadline, f"timed out on screen {self.vm.screen}"
            time.sleep(0.01)
        for _ in range(2):                       # let a pending render reach the screen
            EventLoop.idle()

    def buttons(self) -> dict[str, Any]:
        from kiosk.citizen.widgets import KButton, walk

        return {w.key: w for w in walk(self.app.view) if isinstance(w, KButton)}

    def tap(self, key: str, twice: bool = False) -> None:
        btn = self.buttons()[key]
        for _ in range(2 if twice else 1):
            btn.dispatch("on_press")
            btn.dispatch("on_release")
        self.pump()

    def texts(self) -> str:
        from kivy.uix.label import Label

        from kiosk.citizen.widgets import walk

        return "\n".join(w.text for w in walk(self.app.view) if isinstance(w, Label))

    def shot(self, name: str) -> Path:
        from kivy.core.window import Window

        self.pump()
        made = Path(Window.screenshot(name=str(self.shots / f"{name}.png")))
        final = self.shots / f"{name}.png"
        made.rename(final)
        with Image.open(final) as img:
            stat = ImageStat.Stat(img.convert("L"))
            assert img.size == tuple(Window.size)
            assert stat.stddev[0] > 20, f"{name}: the screenshot looks blank"
        return final

    def to_item(self, code: str) -> None:
        if self.vm.screen != "home":
            self.tap("home")
        self.tap(f"cat:{self.vm.cat.items[code].category}")
        self.tap(f"item:{code}")
        assert self.vm.screen == "item"

    def take(self, twice: bool = False) -> None:
        self.tap("take", twice=twice)
        self.pump(lambda: not self.vm.busy and self.vm.screen in ("result", "message"))

    def ok_home(self) -> None:
        self.tap("home")
        assert self.vm.screen == "home"


def paper_number(printer: Any) -> str:
    """The ticket number as printed: read the QR code off the raster the printer got."""
    paper = read_escpos(printer.jobs[-1], printer.config.width_dots)
    assert not paper.unknown
    symbols = decode_image(paper.slips[0].image(paper.paper_dots))
    payload = next(s.text for s in symbols if s.symbology == "QRCODE")
    return payload.split("|")[3]


@pytest.fixture(scope="module")
def world(cfg: HallConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    old_now = os.environ.get("YIMEN_NOW")
    os.environ["YIMEN_NOW"] = NOW
    from kiosk.citizen.__main__ import configure_kivy

    configure_kivy((1080, 1920), fullscreen=False)
    from kivy.config import Config

    Config.set("graphics", "maxfps", "0")
    from kiosk.citizen.app import CitizenApp, KioskOptions

    w = World(cfg, tmp_path_factory.mktemp("kiosk"))
    w.broker.start()
    with open_hall(cfg, data_dir=w.data) as hall:
        w.hall = hall  # type: ignore[attr-defined]
        w.start_server()
        w.manager = HallClient(cfg, "manager-01", w.creds).start()
        w.manager.subscribe(w.manager.topics.health("kiosk-01"), DeviceHealth, w.health.append)
        opts = KioskOptions(cfg, "kiosk-01", w.creds_path, w.data, staff_pin="2468",
                            settings={"idle_s": 2.0, "result_s": 30.0, "print_failed_s": 30.0, "message_s": 30.0})
        w.app = CitizenApp(opts)
        started = time.monotonic()
        w.app._run_prepare()
        w.pump(lambda: w.vm.online and bool(w.vm.queues), timeout=10)
        w.first_frame_s = time.monotonic() - started  # type: ignore[attr-defined]
        try:
            yield w
        finally:
            w.app.stop()
            from kivy.core.window import Window

            Window.close()
            w.manager.stop()
            w.stop_server()
    w.broker.stop()
    if os.environ.get(SHOT_DIR_ENV):
        for p in w.shots.glob("*.png"):
            shutil.copy(p, Path(os.environ[SHOT_DIR_ENV]) / f"kiosk-{p.name}")
    if old_now is None:
        os.environ.pop("YIMEN_NOW", None)
    else:
        os.environ["YIMEN_NOW"] = old_now


# --- flows (in file order) -----------------------------------------------------------------------

def test_home_screen(world: World) -> None:
    world.shot("portrait-home")
    text = world.texts()
    for words in ("某某县政务服务中心", "2026年11月25日 星期三", "请选择要办理的业务", "市场监管", "扫码 / 刷身份证", "大字模式", "English"):
        assert words in text
    assert "小作坊登记证" not in text
    assert world.first_frame_s < 5  # type: ignore[attr-defined]


def test_take_a_ticket_prints_what_the_screen_shows(world: World) -> None:
    world.tap("cat:market")
    assert "食品经营许可证（新办）" in world.texts()
    world.shot("portrait-category")
    world.tap("item:SC-0101")
    text = world.texts()
    for words in ("请带齐以下材料", "营业执照", "承诺办结时限：", "1号窗口", "现在等候 0 人", "预计等候"):
        assert words in text, words
    world.shot("portrait-item")
    before = len(world.tickets())
    world.take()
    assert world.vm.screen == "result"
    shown = world.vm.result.number
    assert shown in world.texts() and "请取走号票" in world.texts() and "前面还有" in world.texts()
    world.shot("portrait-result")
    assert paper_number(world.app.printer) == shown
    assert len(world.tickets()) == before + 1 and shown in world.tickets()
    world.ok_home()


def test_double_tap_issues_one_ticket(world: World) -> None:
    world.to_item("SC-0102")
    before, jobs = len(world.tickets()), len(world.app.printer.jobs)
    world.take(twice=True)
    world.pump(frames=20)
    assert world.vm.screen == "result"
    assert len(world.tickets()) == before + 1 and len(world.app.printer.jobs) == jobs + 1
    world.ok_home()


def test_paper_out_shows_the_number_and_reports_the_fault(world: World) -> None:
    world.app.printer.fail_with(Reason.PAPER_OUT)
    world.to_item("WS-0201")
    before, jobs = len(world.tickets()), len(world.app.printer.jobs)
    world.take()
    r = world.vm.result
    assert world.vm.screen == "result" and r is not None and not r.printed
    text = world.texts()
    assert r.number in text and "号票没有打印出来" in text and "打印机缺纸" in text and "咨询台" in text
    world.shot("portrait-printer-failure")
    assert len(world.app.printer.jobs) == jobs and len(world.tickets()) == before + 1
    world.pump(lambda: any(not h.ok and h.faults and h.faults[0].reason == "paper_out" for h in world.health))
    world.app.printer.recover()
    world.ok_home()
    assert "打印机故障" in world.texts()              # banner until the next check
    world.vm.check_printer()
    world.pump(lambda: world.health[-1].ok and world.vm.printer_ok)


def test_capped_item_shows_full_and_cannot_be_taken(world: World) -> None:
    world.manage("SetDailyCap", item="SC-0103", cap=1)
    world.manage("IssueTicket", item="SC-0103")
    world.pump(lambda: world.vm.queue("SC-0103") is not None and world.vm.queue("SC-0103").full)
    world.tap("cat:market")
    assert "今日已满" in world.texts()
    world.tap("item:SC-0103")
    assert "今日已满" in world.texts()
    world.shot("portrait-item-full")
    before = len(world.tickets())
    world.tap("take")
    assert world.vm.screen == "message" and "今日已满" in world.texts()
    assert len(world.tickets()) == before
    world.ok_home()


def test_invalid_id_scan_says_why(world: World) -> None:
    world.tap("scan")
    assert "请扫描预约码或身份证" in world.texts()
    world.shot("portrait-scan")
    world.app.scanner.scan(ID_BAD)
    world.pump(lambda: world.vm.screen == "message")
    assert "身份证号码最后一位校验不对" in world.texts()
    assert ID_BAD not in world.texts()
    world.shot("portrait-invalid-id")
    world.ok_home()


def test_id_scan_sends_the_hash_and_the_limit_is_enforced(world: World) -> None:
    world.tap("scan")
    world.app.scanner.scan(ID_A)
    world.pump(lambda: world.vm.person.id_mask is not None)
    assert "**************0011" in world.texts() and ID_A not in world.texts()
    world.shot("portrait-identified")
    world.to_item("RS-0401")
    world.take()
    number = world.vm.result.number
    secret = (world.data / "kiosk-secret").read_bytes().strip()
    assert world.tickets()[number].id_hash == keyed_hash(ID_A, secret)
    world.ok_home()
    world.app.scanner.scan(ID_A)
    world.pump(lambda: world.vm.person.id_mask is not None)
    world.to_item("RS-0401")
    world.take()
    assert world.vm.screen == "message" and "您已在排队办理该事项" in world.texts()
    world.shot("portrait-already-queuing")
    world.ok_home()


def test_appointment_code_checks_in(world: World) -> None:
    code = make_appointment_code("3KQ7M2XB")
    start = datetime.fromisoformat(NOW)
    world.manage("BookAppointment", code=code, item="MZ-0701", day=start.date().isoformat(),
                 start=start.isoformat(), end=(start + timedelta(minutes=30)).isoformat())
    world.app.scanner.scan(code)
    world.pump(lambda: world.vm.screen == "result")
    assert world.vm.result.ticket["appointment"] and world.vm.result.printed
    assert paper_number(world.app.printer) == world.vm.result.number
    world.ok_home()


def test_staff_pin_gives_a_priority_ticket(world: World) -> None:
    world.tap("staff")
    for d in "1111":
        world.tap(f"pin:{d}")
    world.tap("pin:ok")
    assert world.vm.screen == "message" and "密码不正确" in world.texts()
    world.ok_home()
    world.tap("staff")
    for d in "2468":
        world.tap(f"pin:{d}")
    world.shot("portrait-pin")
    world.tap("pin:ok")
    assert "老年人" in world.texts()
    world.tap("prio:elderly")
    assert "绿色通道取号：老年人" in world.texts()
    world.to_item("MZ-0702")
    world.take()
    assert world.vm.result.ticket["priority"] == "elderly" and "绿色通道" in world.texts()
    world.shot("portrait-priority-result")
    assert world.tickets()[world.vm.result.number].priority == "elderly"
    world.ok_home()
    assert "绿色通道取号" not in world.texts()


def test_language_switch_and_large_text(world: World) -> None:
    size = world.buttons()["cat:market"].font_size
    world.tap("large")
    assert world.buttons()["cat:market"].font_size > size * 1.3 and "标准字号" in world.texts()
    world.shot("portrait-home-large")
    world.tap("lang")
    text = world.texts()
    assert "Please choose a service" in text and "Market Regulation" in text and "中文" in text
    world.shot("portrait-home-english")
    world.tap("lang")
    world.tap("large")
    assert "请选择要办理的业务" in world.texts()


def test_idle_timeout_returns_home(world: World) -> None:
    world.tap("lang")
    world.tap("cat:health")
    assert world.vm.screen == "category"
    world.pump(lambda: world.vm.screen == "home", timeout=5)
    assert world.vm.lang == "zh" and "请选择要办理的业务" in world.texts()


def test_landscape(world: World) -> None:
    from kivy.core.window import Window

    Window.size = (1920, 1080)
    world.pump(frames=5)
    world.shot("landscape-home")
    world.to_item("SC-0101")
    world.shot("landscape-item")
    world.take()
    assert paper_number(world.app.printer) == world.vm.result.number
    world.shot("landscape-result")
    world.ok_home()
    world.app.printer.fail_with(Reason.PAPER_OUT)
    world.to_item("SC-0102")
    world.take()
    assert not world.vm.result.printed
    world.shot("landscape-printer-failure")
    world.app.printer.recover()
    world.ok_home()
    Window.size = (1080, 1920)
    world.pump(frames=5)


def test_server_down_issues_nothing(world: World) -> None:
    """Last: the server stays down (restarting it here would leave its threads to the module)."""
    world.stop_server()
    world.pump(lambda: not world.vm.online)
    assert "系统连接中断" in world.texts()
    world.shot("portrait-offline-home")
    world.to_item("SC-0101")
    before = len(world.tickets())
    world.tap("take")
    assert world.vm.screen == "message" and "系统连接中断，请到咨询台" in world.texts()
    world.shot("portrait-offline")
    assert len(world.tickets()) == before
    world.ok_home()
