"""The real announcer (own process, espeak-ng, recording each announcement to a
folder) against a real broker and server: every call is said, a recall again, and a
restart says the call made while it was down but never an old one again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devices.voice import read_wav

from .conftest import CONFIG, REPO

pytestmark = [pytest.mark.display,
              pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")]


class AnnouncerProcess:
    def __init__(self, creds: Path, record: Path, log: Path) -> None:
        self.record, self.log_path = record, log
        self.log = open(log, "a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.announcer", "--config", str(CONFIG), "--device", "announcer-01",
             "--credentials", str(creds), "--player", "none", "--record", str(record)],
            cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})

    def wait_connected(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while "announcer-01 connected" not in self.output():
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, f"announcer never connected: {self.output()}"
            time.sleep(0.05)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        return self.proc.returncode


def wavs(folder: Path, n: int, timeout: float = 20) -> list[Path]:
    """Wait until the folder holds ``n`` announcements (espeak takes a moment)."""
    deadline = time.monotonic() + timeout
    while len(found := sorted(folder.glob("call-*.wav"))) < n:
        assert time.monotonic() < deadline, f"only {len(found)} of {n} announcements in {folder}"
        time.sleep(0.1)
    return found


def called(reply) -> str:
    assert reply.ok, reply.error
    return next(e["number"] for e in reply.result["events"] if e["type"] == "TicketCalled")


def test_every_call_is_said_a_recall_again_and_a_restart_replays_nothing_old(server, device, broker_files, tmp_path) -> None:
    record = tmp_path / "said"
    kiosk, clerk = device("kiosk-01"), device("clerk-02")
    for _ in range(2):
        assert kiosk.request("IssueTicket", {"item": "WS-0201"}).ok
    announcer = AnnouncerProcess(broker_files.credentials, record, tmp_path / "announcer.log")
    try:
        announcer.wait_connected()
        # Given window 2 calls the first health-certificate ticket...
        first = called(clerk.request("CallNext", {"window": 2}))
        # ...then the hall hears it: chime and the call said twice, a few seconds of speech.
        (one,) = wavs(record, 1)
        audio = read_wav(one)
        assert audio.duration_s > 2.0, f"{audio.duration_s:.2f} s is too short for chime + two calls"
        assert audio.rms_dbfs() > -35, f"announcement is near silence ({audio.rms_dbfs():.1f} dBFS)"
        assert f"announcing {first} to window 2 (recall 0)" in announcer.output()

        # When the clerk recalls, it is said again.
        assert clerk.request("Recall", {"window": 2}).ok
        wavs(record, 2)
        assert f"announcing {first} to window 2 (recall 1)" in announcer.output()
    finally:
        assert announcer.stop() == 0, "the announcer did not stop cleanly on SIGTERM"

    # The announcer is down (a blip) when the next call is made; back within seconds,
    # it says that call once and nothing it had said before.
    assert clerk.request("MarkNoShow", {"window": 2}).ok
    second = called(clerk.request("CallNext", {"window": 2}))
    again = AnnouncerProcess(broker_files.credentials, record, tmp_path / "announcer-2.log")
    try:
        again.wait_connected()
        wavs(record, 3)
        time.sleep(1.5)                       # anything replayed would have arrived by now
        assert len(list(record.glob("call-*.wav"))) == 3
        out = again.output()
        assert f"announcing {second} to window 2" in out
        assert f"announcing {first}" not in out, "an old call was said again after the restart"
    finally:
        again.stop()
