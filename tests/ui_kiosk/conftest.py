"""Fixtures for the citizen kiosk: the sample hall, and for the app tests a real
Mosquitto on a free port with the generated config and the MQTT server over a real
SQLite store (module-scoped: one Kivy app per process drives every flow)."""

from __future__ import annotations

from hall_support import NOW, REPO, cfg, no_leaked_threads, pinned_clock  # noqa: F401  (fixtures by name)
