"""Voice call-out: what is said, in what order, how loud, and never two at once."""

from __future__ import annotations

import math
import shutil
import subprocess
import wave
from array import array
from pathlib import Path

import pytest

from devices.health import Reason
from devices.voice import (
    FolderRecorder,
    Announcer,
    Audio,
    Call,
    ClipBackend,
    CLIP_TEXT_ZH,
    EspeakBackend,
    RecordingPlayer,
    all_clip_names,
    call_phrase,
    chime,
    clip_sequence,
    read_wav,
    render_announcement,
    spoken_text,
    window_zh,
)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def test_the_call_for_a012_at_window_3() -> None:
    call = Call("A012", "3")
    assert call_phrase(call) == "请A012号到3号窗口办理"
    assert spoken_text(call) == "请 A 零一二 号, 到 三 号窗口 办理"
    assert clip_sequence(call) == ["qing", "letter_a", "digit_0", "digit_1", "digit_2", "hao", "dao", "digit_3", "hao_chuangkou", "banli"]


@pytest.mark.parametrize("n, zh", [(1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九")])
def test_window_numbers_are_read_as_chinese_numerals(n: int, zh: str) -> None:
    assert window_zh(n) == zh


def test_window_12_uses_the_ten_clip() -> None:
    assert clip_sequence(Call("B105", "12"))[-4:] == ["shi", "digit_2", "hao_chuangkou", "banli"]


@pytest.mark.parametrize(
    "ticket, window",
    [("11010519491231002X", "3"), ("张三", "3"), ("A012", "3号"), ("A012", "0"), ("A012", "100"), ("", "3")],
)
def test_names_and_id_numbers_can_never_be_announced(ticket: str, window: str) -> None:
    with pytest.raises(ValueError):
        Call(ticket, window)


def test_the_chime_is_audible_and_short() -> None:
    c = chime(22050)
    assert 0.6 < c.duration_s < 1.0
    assert c.rms_dbfs() > -25 and c.peak() < 32767


def _tone(rate: int, ms: int, freq: float) -> Audio:
    n = rate * ms // 1000
    return Audio(rate, array("h", (int(8000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(n))))


def _write(path: Path, audio: Audio) -> None:
    path.write_bytes(audio.to_wav())


def test_the_recorded_voice_is_the_clips_in_order_after_the_chime(tmp_path: Path) -> None:
    rate = 16000
    lengths = {name: 100 + 5 * i for i, name in enumerate(all_clip_names())}  # unique length per clip
    for i, (name, ms) in enumerate(lengths.items()):
        _write(tmp_path / f"{name}.wav", _tone(rate, ms, 200 + 10 * i))
    backend = ClipBackend(tmp_path, gap_ms=40)
    assert backend.missing() == []
    call = Call("A012", "3")
    audio = render_announcement(backend, call, repeat=1)
    seq = clip_sequence(call)
    speech_ms = sum(lengths[n] + 40 for n in seq)
    expected_s = chime(rate).duration_s + 0.25 + speech_ms / 1000
    assert audio.duration_s == pytest.approx(expected_s, abs=0.002)
    chime_len = len(chime(rate).samples)
    assert audio.samples[:chime_len] == chime(rate).samples
    first_clip_start = chime_len + rate * 250 // 1000
    qing = backend.clip("qing").samples
    assert audio.samples[first_clip_start : first_clip_start + len(qing)] == qing


def test_a_clip_folder_with_a_different_sample_rate_is_refused(tmp_path: Path) -> None:
    for name in all_clip_names():
        _write(tmp_path / f"{name}.wav", _tone(16000, 100, 300))
    _write(tmp_path / "banli.wav", _tone(22050, 100, 300))
    with pytest.raises(Exception, match="sample rates differ"):
        ClipBackend(tmp_path).speak(Call("A012", "3"))


@needs_espeak
def test_espeak_renders_an_audible_wav_of_plausible_length(tmp_path: Path) -> None:
    audio = render_announcement(EspeakBackend(), Call("A012", "3"), repeat=1)
    out = tmp_path / "call.wav"
    out.write_bytes(audio.to_wav())
    with wave.open(str(out)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        duration = w.getnframes() / w.getframerate()
    assert 3.0 < duration < 12.0
    assert -35 < audio.rms_dbfs() < -6
    stat = subprocess.run(["sox", str(out), "-n", "stat"], capture_output=True, text=True)
    if stat.returncode == 0:
        length = float(next(line.split(":")[1] for line in stat.stderr.splitlines() if line.startswith("Length")))
        assert length == pytest.approx(duration, abs=0.01)


@needs_espeak
def test_a_hall_can_record_its_own_clips_here_made_with_espeak(tmp_path: Path) -> None:
    call = Call("A012", "3")
    tts = EspeakBackend()
    for name in set(clip_sequence(call)):
        _write(tmp_path / f"{name}.wav", tts.synthesize(CLIP_TEXT_ZH[name]))
    audio = render_announcement(ClipBackend(tmp_path), call, repeat=1)
    assert 2.0 < audio.duration_s < 15.0 and audio.rms_dbfs() > -35


class _Words:
    """A backend that 'says' each call as a tone whose length encodes the ticket."""

    def speak(self, call: Call) -> Audio:
        return _tone(8000, 50 + int(call.ticket_number[1:]), 400)


def test_calls_queue_up_and_never_overlap_and_a_recall_repeats_the_call() -> None:
    player = RecordingPlayer(play_seconds=lambda a: 0.03)
    announcer = Announcer(_Words(), player, repeat=1).start()
    try:
        announcer.call("A001", "1")
        announcer.call("A002", "2")
        announcer.recall("A001", "1")
        assert announcer.wait_idle(5)
    finally:
        announcer.stop()
    spans = [(start, end) for _, start, end in player.played]
    assert len(spans) == 3
    assert all(prev_end <= start for (_, prev_end), (start, _) in zip(spans, spans[1:]))
    durations = [a.duration_s for a, _, _ in player.played]
    assert durations[0] == durations[2] != durations[1]


def test_a_failing_speaker_is_reported_and_the_next_call_still_plays() -> None:
    player = RecordingPlayer()
    announcer = Announcer(_Words(), player).start()
    try:
        player.fail = True
        announcer.call("A001", "1")
        assert announcer.wait_idle(5)
        assert announcer.health().reason is Reason.BACKEND_FAILED
        player.fail = False
        announcer.call("A002", "2")
        assert announcer.wait_idle(5)
        assert announcer.health().reason is Reason.NONE
    finally:
        announcer.stop()
    assert len(player.played) == 1


def test_stop_ends_the_worker_and_drops_pending_calls() -> None:
    player = RecordingPlayer(play_seconds=lambda a: 0.05)
    announcer = Announcer(_Words(), player).start()
    for i in range(1, 6):
        announcer.call(f"A00{i}", "1")
    announcer.stop()
    assert len(player.played) < 5


def test_a_recording_announcer_keeps_the_newest_calls_numbered_across_restarts(tmp_path: Path) -> None:
    heard = RecordingPlayer()
    rec = FolderRecorder(heard, tmp_path / "said", keep=3)
    tone = chime(8000)
    for _ in range(5):
        rec.play(tone)
    names = sorted(p.name for p in (tmp_path / "said").iterdir())
    assert names == ["call-000003.wav", "call-000004.wav", "call-000005.wav"]
    assert len(heard.played) == 5, "recording must not stop the call from being played"
    assert read_wav(tmp_path / "said" / "call-000005.wav").samples == tone.samples
    FolderRecorder(heard, tmp_path / "said", keep=3).play(tone)          # after a restart
    assert (tmp_path / "said" / "call-000006.wav").exists()
