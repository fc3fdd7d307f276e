"""Voice call-out: "请A012号到3号窗口办理", offline, never overlapping.

How numbers are read (see docs/devices.md): the ticket's letter is said as the
letter ("A"), its digits one by one in Chinese ("零一二"), because "A零一二号"
is what people hear and repeat at the counter; the window number is said as a
Chinese numeral ("三号窗口", "十二号窗口"), as halls do. Only a ticket number and
a window number go in, both validated: names and ID numbers can't be spoken.

Two backends: espeak-ng's Mandarin voice, and a folder of recorded clips so a
hall can use its own voice. A chime precedes each call.
"""

from __future__ import annotations

import io
import logging
import math
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from devices.codes import is_ticket_number
from devices.health import Consequence, DeviceHealth, DeviceState, Reason

log = logging.getLogger(__name__)

DIGITS_ZH = "零一二三四五六七八九"
_WINDOW = re.compile(r"^[1-9][0-9]?$")


# --- words -----------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """One call-out. Only what may be said aloud: ticket and window numbers."""

    ticket_number: str
    window_number: str

    def __post_init__(self) -> None:
        if not is_ticket_number(self.ticket_number):
            raise ValueError("ticket number must look like A012")
        if not _WINDOW.match(self.window_number):
            raise ValueError("window number must be 1-99")


def window_zh(number: int) -> str:
    """1-99 as a Chinese numeral: 3 -> 三, 10 -> 十, 12 -> 十二, 20 -> 二十."""
    if not 1 <= number <= 99:
        raise ValueError("window number must be 1-99")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return DIGITS_ZH[ones]
    head = "" if tens == 1 else DIGITS_ZH[tens]
    return head + "十" + (DIGITS_ZH[ones] if ones else "")


def call_phrase(call: Call) -> str:
    """The written phrase, for screens and logs."""
    return f"请{call.ticket_number}号到{call.window_number}号窗口办理"


def spoken_text(call: Call) -> str:
    """What the synthesiser is given: letters spaced out, digits as Chinese words."""
    letters = " ".join(c for c in call.ticket_number if c.isalpha())
    digits = "".join(DIGITS_ZH[int(c)] for c in call.ticket_number if c.isdigit())
    return f"请 {letters} {digits} 号, 到 {window_zh(int(call.window_number))} 号窗口 办理"


def clip_sequence(call: Call) -> list[str]:
    """Clip names, in order, for the recorded-voice backend."""
    seq = ["qing"]
    seq += [f"letter_{c.lower()}" for c in call.ticket_number if c.isalpha()]
    seq += [f"digit_{c}" for c in call.ticket_number if c.isdigit()]
    seq += ["hao", "dao"]
    for ch in window_zh(int(call.window_number)):
        seq.append("shi" if ch == "十" else f"digit_{DIGITS_ZH.index(ch)}")
    seq += ["hao_chuangkou", "banli"]
    return seq


def all_clip_names() -> list[str]:
    """Every clip a hall must record for the clip backend."""
    return (
        ["qing", "hao", "dao", "hao_chuangkou", "banli", "shi"]
        + [f"digit_{d}" for d in range(10)]
        + [f"letter_{chr(c)}" for c in range(ord("a"), ord("z") + 1)]
    )


CLIP_TEXT_ZH: dict[str, str] = {
    "qing": "请", "hao": "号", "dao": "到", "hao_chuangkou": "号窗口", "banli": "办理", "shi": "十",
    **{f"digit_{d}": DIGITS_ZH[d] for d in range(10)},
    **{f"letter_{chr(c)}": chr(c).upper() for c in range(ord("a"), ord("z") + 1)},
}


# --- audio -----------------------------------------------------------------------

@dataclass(frozen=True)
class Audio:
    """Mono 16-bit PCM."""

    rate: int
    samples: array  # array('h')

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate

    def rms_dbfs(self) -> float:
        if not self.samples:
            return -math.inf
        mean_sq = sum(s * s for s in self.samples) / len(self.samples)
        return 20 * math.log10(math.sqrt(mean_sq) / 32768) if mean_sq else -math.inf

    def peak(self) -> int:
        return max((abs(s) for s in self.samples), default=0)

    def to_wav(self) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(self.samples.tobytes())
        return buf.getvalue()


class AudioError(Exception):
    """A clip or synthesiser output can't be used."""


def read_wav(data: bytes | Path) -> Audio:
    try:
        with wave.open(io.BytesIO(data) if isinstance(data, bytes) else str(data), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise AudioError("clips must be mono 16-bit PCM WAV")
            samples = array("h")
            samples.frombytes(w.readframes(w.getnframes()))
            return Audio(w.getframerate(), samples)
    except (wave.Error, EOFError, OSError) as e:
        raise AudioError(str(e)) from e


def silence(ms: int, rate: int) -> Audio:
    return Audio(rate, array("h", bytes(2 * (rate * ms // 1000))))


def chime(rate: int, level: float = 0.4) -> Audio:
    """Two-tone "ding-dong" (E5 then C5) with a soft decay, ~0.8 s."""
    samples = array("h")
    for freq, ms in ((659.25, 380), (523.25, 460)):
        n = rate * ms // 1000
        for i in range(n):
            t = i / rate
            env = math.exp(-4.0 * t) * min(1.0, i / (rate * 0.005))
            samples.append(int(32767 * level * env * math.sin(2 * math.pi * freq * t)))
    return Audio(rate, samples)


def concat(parts: list[Audio]) -> Audio:
    if not parts:
        raise AudioError("nothing to join")
    rate = parts[0].rate
    out = array("h")
    for p in parts:
        if p.rate != rate:
            raise AudioError(f"sample rates differ ({p.rate} vs {rate}); convert clips with sox")
        out.extend(p.samples)
    return Audio(rate, out)


# --- backends --------------------------------------------------------------------

class SpeechBackend(Protocol):
    def speak(self, call: Call) -> Audio: ...


class EspeakBackend:
    """espeak-ng's Mandarin voice, offline."""

    def __init__(self, voice: str = "cmn", speed: int = 140, executable: str = "espeak-ng", timeout_s: float = 10.0) -> None:
        self.voice = voice
        self.speed = speed
        self.executable = executable
        self.timeout_s = timeout_s

    def available(self) -> bool:
        return shutil.which(self.executable) is not None

    def synthesize(self, text: str) -> Audio:
        with tempfile.TemporaryDirectory(prefix="yimen-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            try:
                subprocess.run(
                    [self.executable, "-v", self.voice, "-s", str(self.speed), "-w", str(out), text],
                    check=True, capture_output=True, timeout=self.timeout_s,
                )
            except (OSError, subprocess.SubprocessError) as e:
                raise AudioError(f"espeak-ng failed: {e}") from e
            return read_wav(out)

    def speak(self, call: Call) -> Audio:
        return self.synthesize(spoken_text(call))


class ClipBackend:
    """Concatenates recorded clips (``<folder>/<name>.wav``) with short gaps."""

    def __init__(self, folder: Path, gap_ms: int = 40) -> None:
        self.folder = Path(folder)
        self.gap_ms = gap_ms
        self._cache: dict[str, Audio] = {}

    def missing(self) -> list[str]:
        return [n for n in all_clip_names() if not (self.folder / f"{n}.wav").is_file()]

    def clip(self, name: str) -> Audio:
        if name not in self._cache:
            self._cache[name] = read_wav(self.folder / f"{name}.wav")
        return self._cache[name]

    def speak(self, call: Call) -> Audio:
        clips = [self.clip(n) for n in clip_sequence(call)]
        gap = silence(self.gap_ms, clips[0].rate)
        parts: list[Audio] = []
        for c in clips:
            parts += [c, gap]
        return concat(parts)


def render_announcement(backend: SpeechBackend, call: Call, repeat: int = 2, with_chime: bool = True) -> Audio:
    """Chime, then the call said ``repeat`` times with a pause between."""
    speech = backend.speak(call)
    parts: list[Audio] = []
    if with_chime:
        parts += [chime(speech.rate), silence(250, speech.rate)]
    for i in range(repeat):
        parts.append(speech)
        if i < repeat - 1:
            parts.append(silence(700, speech.rate))
    return concat(parts)


# --- players ---------------------------------------------------------------------

class Player(Protocol):
    def play(self, audio: Audio) -> None: ...


class CommandPlayer:
    """Plays through a command-line player (``aplay -q`` or sox's ``play -q``)."""

    def __init__(self, command: tuple[str, ...] = ("aplay", "-q"), timeout_s: float = 60.0) -> None:
        self.command = command
        self.timeout_s = timeout_s

    def play(self, audio: Audio) -> None:
        with tempfile.NamedTemporaryFile(suffix=".wav", prefix="yimen-call-") as f:
            f.write(audio.to_wav())
            f.flush()
            try:
                subprocess.run([*self.command, f.name], check=True, capture_output=True, timeout=self.timeout_s)
            except (OSError, subprocess.SubprocessError) as e:
                raise AudioError(f"playback failed: {e}") from e


class RecordingPlayer:
    """Keeps what would have been played, with start/end times; can be told to fail."""

    def __init__(self, play_seconds: Callable[[Audio], float] = lambda a: 0.0, clock: Callable[[], float] | None = None) -> None:
        self._play_seconds = play_seconds
        self._clock = clock or time.monotonic
        self._sleep = time.sleep
        self.played: list[tuple[Audio, float, float]] = []
        self.fail = False
        self._lock = threading.Lock()

    def play(self, audio: Audio) -> None:
        if self.fail:
            raise AudioError("speaker unplugged")
        start = self._clock()
        self._sleep(self._play_seconds(audio))
        with self._lock:
            self.played.append((audio, start, self._clock()))


class NullPlayer:
    """Plays nothing and keeps nothing (an announcer on a box without speakers)."""

    def play(self, audio: Audio) -> None:
        return None


class FolderRecorder:
    """Plays through ``player`` and keeps each announcement as a numbered WAV in
    ``folder`` (the newest ``keep``): what the hall heard, for drills and disputes
    ("I was never called"). File names hold only a sequence number."""

    def __init__(self, player: Player, folder: Path, keep: int = 500) -> None:
        self.player = player
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.keep = keep
        existing = sorted(self.folder.glob("call-*.wav"))
        self._n = int(existing[-1].stem.split("-")[1]) if existing else 0

    def play(self, audio: Audio) -> None:
        self._n += 1
        tmp = self.folder / f"call-{self._n:06d}.tmp"
        tmp.write_bytes(audio.to_wav())
        tmp.replace(self.folder / f"call-{self._n:06d}.wav")       # readers never see half a file
        for old in sorted(self.folder.glob("call-*.wav"))[:-self.keep]:
            old.unlink(missing_ok=True)
        self.player.play(audio)


# --- announcer -------------------------------------------------------------------

class Announcer:
    """Queues calls and plays them one at a time on its own worker thread.

    ``call``/``recall`` return at once; ``stop()`` ends the worker (pending calls
    are dropped unless ``drain=True``).
    """

    _STOP = object()

    def __init__(
        self,
        backend: SpeechBackend,
        player: Player,
        device_id: str = "announcer-1",
        repeat: int = 2,
        with_chime: bool = True,
        max_pending: int = 50,
    ) -> None:
        self.device_id = device_id
        self._backend = backend
        self._player = player
        self._repeat = repeat
        self._with_chime = with_chime
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_pending)
        self._thread: threading.Thread | None = None
        self._health = DeviceHealth.ok(device_id)
        self._idle = threading.Event()
        self._idle.set()

    def start(self) -> "Announcer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"announcer-{self.device_id}", daemon=True)
            self._thread.start()
        return self

    def call(self, ticket_number: str, window_number: str) -> bool:
        """Queue a call; False if the queue is full. Raises ValueError on bad numbers."""
        return self._enqueue(Call(ticket_number, window_number))

    def recall(self, ticket_number: str, window_number: str) -> bool:
        """Say the same call again (重呼)."""
        return self._enqueue(Call(ticket_number, window_number))

    def _enqueue(self, call: Call) -> bool:
        try:
            self._idle.clear()
            self._queue.put_nowait(call)
            return True
        except queue.Full:
            log.warning("announcer %s queue full; call dropped", self.device_id)
            if self._queue.empty():
                self._idle.set()
            return False

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._STOP:
                return
            assert isinstance(item, Call)
            try:
                audio = render_announcement(self._backend, item, self._repeat, self._with_chime)
                self._player.play(audio)
                self._health = DeviceHealth.ok(self.device_id)
            except Exception:  # noqa: BLE001 - a failed call must not end the worker
                log.warning("announcement failed: %s", call_phrase(item), exc_info=True)
                self._health = DeviceHealth(self.device_id, DeviceState.FAULT, Reason.BACKEND_FAILED, Consequence.CANNOT_ANNOUNCE)
            finally:
                if self._queue.empty():
                    self._idle.set()

    def wait_idle(self, timeout_s: float) -> bool:
        return self._idle.wait(timeout_s)

    def health(self) -> DeviceHealth:
        return self._health

    def stop(self, drain: bool = False, timeout_s: float = 5.0) -> None:
        if self._thread is None:
            return
        if not drain:
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
        self._queue.put(self._STOP)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("announcer %s did not stop within %.1fs", self.device_id, timeout_s)
        self._thread = None
        self._idle.set()
