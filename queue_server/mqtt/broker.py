"""The hall's own Mosquitto: a generated config, one identity per device, and the process.

The broker is a transport, not a store (``persistence false``): the queue server's
database is the truth and republishes every retained state when it (re)connects.
Access is default-deny: a password file authenticates, the ACL file authorises each
identity for its own topics only.  Mosquitto cannot refuse MQTT 3.1.1 clients; the
ACL and the server's own role checks hold whatever protocol version a client uses.
"""

from __future__ import annotations

import json
import logging
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import Device, DeviceKind, HallConfig
from .topics import SERVER_ID, Topics

log = logging.getLogger(__name__)

# Devices that speak MQTT themselves; printers and scanners hang off a kiosk.
MQTT_KINDS = frozenset({
    DeviceKind.KIOSK, DeviceKind.CLERK_CONSOLE, DeviceKind.MANAGER_CONSOLE, DeviceKind.DISPLAY,
    DeviceKind.BOARD, DeviceKind.ANNOUNCER, DeviceKind.RATING_PAD, DeviceKind.LED,
})
MAX_PACKET = 256 * 1024


class BrokerError(RuntimeError):
    """The broker could not start; the message says what to do."""


class PortInUse(BrokerError):
    pass


class CredentialsError(ValueError):
    """The credentials file is missing or unreadable (the message names it)."""


@dataclass(frozen=True)
class Credentials:
    """What a process needs to reach the hall's broker as one identity."""

    hall: str
    host: str
    port: int
    identities: dict[str, str]
    tls_ca: str | None = None

    def password(self, device_id: str) -> str:
        try:
            return self.identities[device_id]
        except KeyError:
            raise KeyError(f"no broker identity for {device_id!r} in the credentials file") from None

    @classmethod
    def load(cls, path: str | Path) -> "Credentials":
        """Raises :class:`CredentialsError` saying which file and what is wrong with it."""
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(hall=d["hall"], host=d["host"], port=int(d["port"]), identities=dict(d["identities"]),
                       tls_ca=d.get("tls_ca"))
        except FileNotFoundError:
            raise CredentialsError(
                f"找不到 MQTT 凭据文件 {path}（在服务器上运行 yimen hall 或 yimen broker-config 生成后复制过来，"
                f"或用 --credentials 指定）/ broker credentials file not found: {path} (made by `yimen hall` or "
                f"`yimen broker-config` on the server; copy it here or pass --credentials)") from None
        except OSError as e:
            raise CredentialsError(f"无法读取凭据文件 / cannot read the credentials file {path}: {e.strerror}") from None
        except (ValueError, KeyError, TypeError) as e:
            raise CredentialsError(f"凭据文件格式错误 / the credentials file {path} is damaged: "
                                   f"{type(e).__name__} {e}") from None

    def save(self, path: Path) -> None:
        body = json.dumps({"v": 1, "hall": self.hall, "host": self.host, "port": self.port,
                           "tls_ca": self.tls_ca, "identities": self.identities}, indent=2)
        _write_private(path, body + "\n")


@dataclass(frozen=True)
class BrokerFiles:
    directory: Path
    conf: Path
    passwd: Path
    acl: Path
    credentials: Path
    log: Path
    host: str
    port: int


def mqtt_devices(cfg: HallConfig) -> list[Device]:
    return [d for d in cfg.devices if d.kind in MQTT_KINDS]


def identities(cfg: HallConfig) -> list[str]:
    return [SERVER_ID] + [d.id for d in mqtt_devices(cfg)]


def write_broker_config(cfg: HallConfig, directory: str | Path, *, port: int | None = None,
                        host: str | None = None) -> BrokerFiles:
    """Write mosquitto.conf, passwd, acl and credentials.json; keep existing passwords."""
    d = Path(directory).resolve()
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    host = host or cfg.broker.host
    port = port or cfg.broker.port
    files = BrokerFiles(d, d / "mosquitto.conf", d / "passwd", d / "acl", d / "credentials.json",
                        d / "mosquitto.log", host, port)
    creds = _credentials(cfg, files, host, port)
    creds.save(files.credentials)
    _write_passwd(files.passwd, creds.identities)
    _write_private(files.acl, acl_text(cfg))
    _write_private(files.conf, conf_text(cfg, files))
    return files


def _credentials(cfg: HallConfig, files: BrokerFiles, host: str, port: int) -> Credentials:
    old: dict[str, str] = {}
    if files.credentials.exists():
        try:
            old = Credentials.load(files.credentials).identities
        except (ValueError, KeyError):
            log.warning("unreadable credentials file %s; generating new passwords", files.credentials)
    ids = {i: old.get(i) or secrets.token_urlsafe(24) for i in identities(cfg)}
    return Credentials(cfg.hall.id, host, port, ids, cfg.broker.tls_ca)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _write_passwd(path: Path, ids: dict[str, str]) -> None:
    """Plain lines first, then ``mosquitto_passwd -U`` hashes them in place."""
    tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
    _write_private(path, "".join(f"{user}:{pw}\n" for user, pw in ids.items()))
    try:
        subprocess.run([tool, "-U", str(path)], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.CalledProcessError) as exc:
        path.unlink(missing_ok=True)
        raise BrokerError(f"could not hash the broker password file with {tool}: {exc} / 无法生成密码文件") from None


def read_topics(cfg: HallConfig, device: Device) -> list[str]:
    """What each role may read besides its own reply/presence/health topics."""
    t = Topics(cfg.hall.id)
    server = t.presence(SERVER_ID)
    w = device.window
    k = device.kind
    if k is DeviceKind.MANAGER_CONSOLE:
        return [f"{t.base}/state/#", t.all_presence, f"{t.base}/event/#"]
    if k is DeviceKind.KIOSK:
        return [t.queues, t.board, server]
    if k is DeviceKind.CLERK_CONSOLE:
        return [t.all_windows, t.queues, t.board, t.all_calls, server]
    if k is DeviceKind.BOARD:
        return [t.board, t.queues, t.all_calls, server]
    if k is DeviceKind.ANNOUNCER:
        return [t.board, t.all_calls, server]
    if k in (DeviceKind.DISPLAY, DeviceKind.LED):
        return [t.window(w), t.call(w), server] if w is not None else [t.board, server]
    if k is DeviceKind.RATING_PAD:
        return [t.window(w), server] if w is not None else [server]
    return []


def acl_text(cfg: HallConfig) -> str:
    t = Topics(cfg.hall.id)
    lines = [
        "# Generated by yimen from the hall config; edits are overwritten.",
        "# Default deny: anything not granted here is refused (MQTT v5 reason code 135).",
        "# Every identity: its own command, reply, presence and health topics.",
        f"pattern write {t.base}/cmd/%u",
        f"pattern read {t.base}/reply/%u",
        f"pattern readwrite {t.base}/presence/%u",
        f"pattern readwrite {t.base}/state/device/%u",
        "",
        f"user {SERVER_ID}",
        f"topic readwrite {t.base}/#",
    ]
    for dev in mqtt_devices(cfg):
        lines += ["", f"user {dev.id}"] + [f"topic read {topic}" for topic in read_topics(cfg, dev)]
    return "\n".join(lines) + "\n"


def conf_text(cfg: HallConfig, files: BrokerFiles) -> str:
    b = cfg.broker
    lines = [
        "# Generated by yimen from the hall config; edits are overwritten.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {files.passwd}",
        f"acl_file {files.acl}",
        "# The queue server's database is the truth; it republishes retained state.",
        "persistence false",
        "# Without this, Nagle meets delayed ACK: ~88 ms per round trip instead of ~0.5 ms.",
        "set_tcp_nodelay true",
        f"max_packet_size {MAX_PACKET}",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "connection_messages true",
        "log_timestamp_format %Y-%m-%dT%H:%M:%S",
    ]
    if os.geteuid() == 0:
        # Started as root Mosquitto drops to user "mosquitto", which cannot read these 0600
        # files; stay the user that owns them (production: run yimen as its own user).
        lines.append(f"user {pwd.getpwuid(os.geteuid()).pw_name}")
    lines += ["", f"listener {files.port} {files.host}", "protocol mqtt"]
    if b.tls_cert and b.tls_key:
        lines += [f"certfile {Path(b.tls_cert).resolve()}", f"keyfile {Path(b.tls_key).resolve()}"]
        if b.tls_ca:
            lines.append(f"cafile {Path(b.tls_ca).resolve()}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# The process
# ---------------------------------------------------------------------------


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _port_message(host: str, port: int) -> str:
    return (f"端口 {host}:{port} 已被占用（可能已有另一个 MQTT 服务器在运行）。请在配置文件 [broker] port 中"
            f"换一个端口，或使用 --broker-port 选项。\n"
            f"Port {host}:{port} is already in use (another MQTT broker may be running). "
            f"Choose another port with `[broker] port = ...` in the hall config or the --broker-port option.")


class BrokerProcess:
    """Runs Mosquitto with a generated config; stops it on exit (also as a context manager)."""

    def __init__(self, files: BrokerFiles, *, binary: str | None = None):
        self.files = files
        self.binary = binary or shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        if not port_free(self.files.host, self.files.port):
            raise PortInUse(_port_message(self.files.host, self.files.port))
        logf = open(self.files.log, "ab")
        try:
            self.proc = subprocess.Popen([self.binary, "-c", str(self.files.conf)], stdout=logf,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        finally:
            logf.close()
        self._wait_ready(timeout)
        log.info("mosquitto pid %d listening on %s:%d", self.proc.pid, self.files.host, self.files.port)

    def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self._log_tail()
                self.proc = None
                if "Address already in use" in tail:
                    raise PortInUse(_port_message(self.files.host, self.files.port))
                raise BrokerError(f"mosquitto exited at start / MQTT 服务器启动失败:\n{tail}")
            try:
                with socket.create_connection((self.files.host, self.files.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise BrokerError(f"mosquitto did not listen within {timeout}s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.files.log.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            return ""

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL, the way a power cut or OOM killer ends it (tests)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> "BrokerProcess":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
