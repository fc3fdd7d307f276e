"""The kiosk's camera: the real kiosk under Xvfb against a real Mosquitto and the MQTT
server over SQLite, real QR codes shown to its (fake) camera, decoded by the real zbar
child process.

Kivy runs one App per process reliably and ``test_kiosk_app.py`` has already run (and
closed) its App in this pytest process, so here the kiosk runs in a process of its own:
this file, started as a script, builds the same ``CitizenApp`` the other tests build and
obeys one JSON command a line (show a code to the camera, scan with the scripted
scanner, tap, wait for a screen, screenshot). The hall (broker, server, manager) stays in
the test process, as in ``test_kiosk_app.py``. The tests are ordered: each starts from
the home screen the previous one left.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[2]
CHILD_SETTINGS = {"idle_s": 20.0, "result_s": 30.0, "print_failed_s": 30.0, "message_s": 30.0}
STAFF_BADGE = "YMSTAFF-0013-7731"
SHOT_DIR_ENV = "YIMEN_KIOSK_SHOTS"       # copy the screenshots there (for docs/img)
NOW = "2026-11-25T09:30+08:00"           # as tests/hall_support.py: inside business hours


# --- the kiosk's side (runs in its own process) ------------------------------------------------

def _drive(creds: str, data: str) -> None:
    """Run the real kiosk and obey commands from stdin, one JSON object a line."""
    import logging

    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)                                   # anything printed goes to the log, not the replies
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from kiosk.citizen.__main__ import configure_kivy

    configure_kivy((1080, 1920), fullscreen=False)
    from kivy.base import EventLoop
    from kivy.config import Config

    Config.set("graphics", "maxfps", "0")
    from kivy.core.window import Window
    from kivy.uix.label import Label
    from PIL import Image

    from devices.raster import qr_image
    from kiosk.citizen.app import CitizenApp, KioskOptions
    from kiosk.citizen.widgets import KButton, walk
    from queue_server.config import load_config

    cfg = load_config(REPO / "config" / "county-hall.toml")
    app = CitizenApp(KioskOptions(cfg, "kiosk-01", Path(creds), Path(data), staff_pin="2468",
                                  settings=CHILD_SETTINGS))
    app._run_prepare()
    vm = app.vm

    def pump(until: Any = None, timeout: float = 10.0, frames: int = 3) -> bool:
        deadline, done = time.monotonic() + timeout, 0
        while True:
            EventLoop.idle()
            done += 1
            if (until is None and done >= frames) or (until is not None and until()):
                break
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        for _ in range(2):
            EventLoop.idle()
        return True

    def scene(text: str) -> Image.Image:
        img = Image.new("L", (640, 480), 190)
        code = qr_image(text, 6).convert("L")
        img.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
        return img

    def state() -> dict[str, Any]:
        r = vm.result
        return {"screen": str(vm.screen), "online": vm.online,
                "texts": [w.text for w in walk(app.view) if isinstance(w, Label)],
                "result": None if r is None else {"number": r.number, "printed": r.printed,
                                                  "appointment": bool(r.ticket.get("appointment"))},
                "id_mask": vm.person.id_mask,
                "camera": app.camera.health().to_dict() if app.camera else None,
                "decoder_pid": getattr(app.camera.decoder, "pid", None) if app.camera else None}

    def shot(path: str) -> dict[str, Any]:
        pump()
        made = Path(Window.screenshot(name=path))
        made.rename(path)
        return {"path": path, "size": list(Window.size)}

    def tap(key: str) -> None:
        btn = {w.key: w for w in walk(app.view) if isinstance(w, KButton)}[key]
        btn.dispatch("on_press")
        btn.dispatch("on_release")
        pump()

    camera = app.camera.source if app.camera else None
    ops = {
        "state": lambda a: state(),
        "show": lambda a: camera.show(scene(a["text"])),
        "blank": lambda a: camera.blank(),
        "unplug": lambda a: camera.unplug(),
        "replug": lambda a: camera.replug(),
        "scan": lambda a: app.scanner.scan(a["text"]),
        "tap": lambda a: tap(a["key"]),
        "pump": lambda a: pump(timeout=a["seconds"], until=lambda: False) and None,
        "wait": lambda a: {"ok": pump(lambda: (str(vm.screen) == a["screen"] if "screen" in a
                                               else vm.person.id_mask is not None), a.get("timeout", 10.0))},
        "shot": lambda a: shot(a["path"]),
    }
    pump(lambda: vm.online and bool(vm.queues), timeout=20)
    replies.write(json.dumps({"ready": True, **state()}) + "\n")
    buf = b""
    while True:
        EventLoop.idle()
        if not select.select([0], [], [], 0.01)[0]:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            cmd = json.loads(line)
            if cmd["op"] == "quit":
                pid = state()["decoder_pid"]
                app.stop()
                Window.close()
                replies.write(json.dumps({"decoder_pid": pid}) + "\n")
                return
            try:
                out = ops[cmd["op"]](cmd) or {}
                out.setdefault("state", state())
            except Exception as exc:  # noqa: BLE001 - report to the test, keep the kiosk running
                logging.exception("command %s failed", cmd["op"])
                out = {"error": f"{type(exc).__name__}: {exc}"}
            replies.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    sys.path[:0] = [str(REPO), str(REPO / "tests")]
    _drive(sys.argv[1], sys.argv[2])
    sys.exit(0)


# --- the test's side ------------------------------------------------------------------------------

import pytest  # noqa: E402
from PIL import Image, ImageStat  # noqa: E402

from devices.camera_source import CameraScanner, FakeCamera  # noqa: E402
from devices.codes import make_appointment_code  # noqa: E402
from devices.id_number import check_char  # noqa: E402
from kiosk.citizen.wiring import make_camera  # noqa: E402
from queue_server.config import Device, DeviceKind, HallConfig, cross_check  # noqa: E402
from queue_server.hall import open_hall  # noqa: E402
from queue_server.mqtt.broker import BrokerProcess, Credentials, free_port, write_broker_config  # noqa: E402
from queue_server.mqtt.client import HallClient  # noqa: E402
from queue_server.mqtt.server import MqttServer  # noqa: E402

pytestmark = pytest.mark.display


def synthetic_id(seq: int) -> str:
    """A checksum-valid ID number made up for tests (area 110101, born 1985-06-15)."""
    first17 = f"11010119850615{seq:03d}"
    return first17 + check_char(first17)


ID_OK = synthetic_id(7)
ID_BAD = ID_OK[:-1] + ("1" if ID_OK[-1] != "1" else "2")
BY_SCANNER = make_appointment_code("4RT8K2MN")
BY_CAMERA = make_appointment_code("9PX3D7QH")


class KioskProcess:
    """The real kiosk app in its own process, driven one command at a time."""

    def __init__(self, creds: Path, data: Path, log: Path) -> None:
        self.log_path = log
        self._log = open(log, "w")
        self.proc = subprocess.Popen([sys.executable, __file__, str(creds), str(data)], cwd=REPO, bufsize=0,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                                     env={**os.environ, "YIMEN_NOW": NOW, "PYTHONDONTWRITEBYTECODE": "1"})
        self._buf = b""
        self.first = self._reply(60.0)

    def _reply(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            assert left > 0, f"the kiosk did not answer within {timeout}s:\n{self.log()}"
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 65536)
                assert chunk, f"the kiosk exited ({self.proc.poll()}):\n{self.log()}"
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def ask(self, op: str, timeout: float = 30.0, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}).encode() + b"\n")
        out = self._reply(timeout)
        assert "error" not in out, f"{op}: {out['error']}\n{self.log()}"
        return out

    def wait(self, screen: str, timeout: float = 10.0) -> dict[str, Any]:
        out = self.ask("wait", screen=screen, timeout=timeout)
        assert out["ok"], f"never reached {screen}; on {out['state']['screen']}: {out['state']['texts'][:8]}"
        return out["state"]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> dict[str, Any] | None:
        out = None
        if self.proc.poll() is None:
            try:
                out = self.ask("quit", timeout=20)
                self.proc.wait(20)
            except (AssertionError, subprocess.TimeoutExpired, BrokenPipeError):
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        self._log.close()
        return out


class World:
    """The hall (broker + server + manager) in this process; the kiosk in its own."""

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
        self.server: MqttServer | None = None
        self.manager: HallClient | None = None
        self.kiosk: KioskProcess | None = None
        self.stopped: dict[str, Any] | None = None

    def manage(self, kind: str, **args: Any) -> Any:
        assert self.manager is not None
        reply = self.manager.request(kind, args, timeout=5)
        assert reply.ok, reply.error
        return reply.result

    def book(self, code: str, item: str = "MZ-0701") -> None:
        start = datetime.fromisoformat(NOW)
        self.manage("BookAppointment", code=code, item=item, day=start.date().isoformat(),
                    start=start.isoformat(), end=(start + timedelta(minutes=30)).isoformat())

    def tickets(self) -> dict[str, Any]:
        day = self.hall.service.state.day  # type: ignore[attr-defined]
        return dict(day.tickets) if day else {}

    @property
    def k(self) -> KioskProcess:
        assert self.kiosk is not None
        return self.kiosk

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.k.ask("shot", path=str(path))
        with Image.open(path) as img:
            assert img.size == (1080, 1920)
            assert ImageStat.Stat(img.convert("L")).stddev[0] > 20, f"{name}: the screenshot looks blank"
        return path

    def home(self) -> None:
        if self.k.ask("state")["state"]["screen"] != "home":
            assert self.k.ask("tap", key="home")["state"]["screen"] == "home"


def shape(texts: list[str]) -> list[str]:
    """A screen's words with every number replaced: the ticket number, people ahead and the
    wait differ from one ticket to the next, the screen around them must not."""
    return sorted(re.sub(r"[0-9]+", "#", t) for t in texts)


@pytest.fixture(scope="module")
def world(cfg: HallConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    old_now = os.environ.get("YIMEN_NOW")
    os.environ["YIMEN_NOW"] = NOW
    w = World(cfg, tmp_path_factory.mktemp("kiosk-camera"))
    w.broker.start()
    with open_hall(cfg, data_dir=w.data) as hall:
        w.hall = hall  # type: ignore[attr-defined]
        server = MqttServer(hall, w.creds)
        server.start()
        w.server = server
        w.manager = HallClient(cfg, "manager-01", w.creds).start()
        try:
            from kiosk.citizen.__main__ import add_staff_cards
            add_staff_cards(w.data, "前台 badge", [STAFF_BADGE])
            w.kiosk = KioskProcess(w.creds_path, w.data, w.root / "kiosk.log")
            assert w.kiosk.first.get("ready") and w.kiosk.first["online"], w.kiosk.log()
            yield w
        finally:
            if w.kiosk is not None:
                w.stopped = w.kiosk.stop()
            w.manager.stop()
            server.stop()
    w.broker.stop()
    if os.environ.get(SHOT_DIR_ENV):
        for p in w.shots.glob("*.png"):
            shutil.copy(p, Path(os.environ[SHOT_DIR_ENV]) / f"kiosk-{p.name}")
    if old_now is None:
        os.environ.pop("YIMEN_NOW", None)
    else:
        os.environ["YIMEN_NOW"] = old_now


# --- wiring (no display needed) --------------------------------------------------------------------

def test_given_the_county_config_then_kiosk_01_gets_its_fake_camera_and_kiosk_02_none(cfg: HallConfig) -> None:
    camera = make_camera(cfg, "kiosk-01")
    try:
        assert isinstance(camera, CameraScanner) and isinstance(camera.source, FakeCamera)
        assert camera.device_id == "camera-01"
        assert camera.decoder.pid is None            # type: ignore[attr-defined]  # no zbar child before a frame
    finally:
        assert camera is not None
        camera.close()
    assert make_camera(cfg, "kiosk-02") is None


def test_given_a_camera_with_an_unknown_connection_then_the_config_check_names_it(cfg: HallConfig) -> None:
    bad = Device(id="camera-09", kind=DeviceKind.CAMERA, kiosk="kiosk-02", connection="usb:046d:0825")
    problems = [str(p) for p in cross_check(cfg.model_copy(update={"devices": [*cfg.devices, bad]}))]
    assert any("camera-09" in p and "v4l2:/dev/videoN" in p for p in problems), problems
    assert cross_check(cfg) == []


# --- the kiosk (in file order) ----------------------------------------------------------------------

def test_given_a_kiosk_with_a_camera_when_a_citizen_holds_an_appointment_qr_code_up_then_the_screen_is_the_scanners(
        world: World) -> None:
    world.book(BY_SCANNER)
    world.book(BY_CAMERA)
    before = len(world.tickets())
    world.k.ask("scan", text=BY_SCANNER)
    by_scanner = world.k.wait("result")
    world.home()
    world.k.ask("show", text=BY_CAMERA)
    by_camera = world.k.wait("result")
    world.shot("portrait-camera-appointment")
    assert by_camera["result"]["appointment"] and by_camera["result"]["printed"]
    assert by_scanner["result"]["appointment"] and by_scanner["result"]["printed"]
    assert by_camera["result"]["number"] != by_scanner["result"]["number"]
    assert shape(by_camera["texts"]) == shape(by_scanner["texts"])
    assert by_camera["result"]["number"] in by_camera["texts"] and "请取走号票" in "\n".join(by_camera["texts"])
    tickets = world.tickets()
    assert len(tickets) == before + 2 and tickets[by_camera["result"]["number"]].appointment is not None
    # Still held up after the ticket: one check-in, not a second one ("already used").
    world.home()
    world.k.ask("pump", seconds=1.2)
    assert world.k.ask("state")["state"]["screen"] == "home"
    assert len(world.tickets()) == before + 2
    world.k.ask("blank")


def test_given_a_kiosk_with_a_camera_when_a_citizen_holds_up_an_id_with_a_wrong_last_digit_then_it_says_why(
        world: World) -> None:
    assert world.k.ask("tap", key="scan")["state"]["screen"] == "scan"
    world.k.ask("show", text=ID_BAD)
    state = world.k.wait("message")
    world.shot("portrait-camera-invalid-id")
    assert "身份证号码最后一位校验不对" in "\n".join(state["texts"])
    assert not any(ID_BAD in t for t in state["texts"])
    world.k.ask("blank")
    world.home()


def test_given_a_kiosk_with_a_camera_when_a_citizen_holds_up_a_valid_id_then_only_the_public_mask_is_shown(
        world: World) -> None:
    world.k.ask("show", text=ID_OK)
    out = world.k.ask("wait", timeout=10.0)
    assert out["ok"], out["state"]["texts"][:8]
    texts = out["state"]["texts"]
    assert out["state"]["id_mask"] == "**************" + ID_OK[-4:]
    assert any("**************" + ID_OK[-4:] in t for t in texts)
    assert not any(ID_OK in t or ID_OK[6:14] in t for t in texts)
    world.k.ask("blank")
    world.home()


def test_given_the_camera_is_unplugged_then_the_kiosk_keeps_issuing_tickets_and_the_manager_sees_the_fault(
        world: World) -> None:
    seen: list[Any] = []
    assert world.manager is not None
    world.manager.on_devices(seen.append)

    def kiosk_faults() -> list[tuple[str, str]] | None:
        for d in reversed(seen):
            k = next((x for x in d.devices if x.id == "kiosk-01"), None)
            if k is not None:
                return [(f.device, f.reason) for f in k.faults]
        return None

    world.k.ask("unplug")
    world.k.ask("pump", seconds=0.6)
    state = world.k.ask("state")["state"]
    assert state["camera"]["state"] == "offline" and state["camera"]["reason"] == "unplugged"
    before = len(world.tickets())
    world.k.ask("tap", key="cat:market")
    world.k.ask("tap", key="item:SC-0101")
    world.k.ask("tap", key="take")
    result = world.k.wait("result")
    assert result["result"]["printed"] and len(world.tickets()) == before + 1
    deadline = time.monotonic() + 15                     # the kiosk looks at its scanners every 5 s
    while kiosk_faults() != [("camera-01", "unplugged")]:
        assert time.monotonic() < deadline, f"the manager never saw the camera fault: {kiosk_faults()}"
        world.k.ask("pump", seconds=0.5)
    world.home()
    world.k.ask("replug")
    world.k.ask("pump", seconds=0.6)
    assert world.k.ask("state")["state"]["camera"]["state"] == "ok"
    deadline = time.monotonic() + 15
    while kiosk_faults() != []:
        assert time.monotonic() < deadline, f"the camera fault never cleared: {kiosk_faults()}"
        world.k.ask("pump", seconds=0.5)
    log = world.k.log()
    assert "camera camera-01: offline, unplugged (the fake camera was unplugged)" in log
    assert "camera camera-01: working" in log


def test_given_a_listed_staff_badge_when_it_is_held_to_the_camera_or_scanned_then_the_green_channel_opens(
        world: World) -> None:
    world.k.ask("show", text=STAFF_BADGE)
    assert world.k.ask("wait", screen="priority", timeout=10.0)["ok"]
    world.k.ask("blank")
    world.home()
    world.k.ask("scan", text="STAFF-NOT-LISTED")
    assert world.k.ask("wait", screen="message", timeout=10.0)["ok"]
    world.home()
    world.k.ask("scan", text=STAFF_BADGE)
    assert world.k.ask("wait", screen="priority", timeout=10.0)["ok"]
    world.home()
    assert STAFF_BADGE not in world.k.log() and STAFF_BADGE not in (world.data / "staff-cards").read_text()


def test_given_tickets_handed_over_then_the_kiosks_journal_on_disk_is_empty(world: World) -> None:
    journal = world.data / "kiosk-01-unsettled.json"
    assert journal.exists(), "the kiosk kept no journal in its data folder"
    assert json.loads(journal.read_text()) == []


def test_given_the_whole_run_then_no_full_id_number_reached_the_kiosk_log(world: World) -> None:
    log = world.k.log_path.read_text(errors="replace")
    assert "scan refused: id_bad_check_digit" in log        # the scans did happen and were logged
    for number in (ID_OK, ID_BAD):
        assert number not in log and number[6:14] not in log


def test_when_the_kiosk_stops_then_the_camera_thread_and_its_zbar_child_stop_with_it(world: World) -> None:
    kiosk = world.k
    pid = kiosk.ask("state")["state"]["decoder_pid"]
    assert pid is not None, "the camera never started its zbar child"
    os.kill(pid, 0)                                          # alive while the kiosk runs
    stopped = kiosk.stop()
    world.kiosk = None
    assert stopped is not None and stopped["decoder_pid"] == pid
    assert kiosk.proc.returncode == 0, kiosk.log()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
