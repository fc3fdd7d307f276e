"""``python -m kiosk.citizen --config config/county-hall.toml --device kiosk-01 --data var``

Portrait 1080×1920 full screen by default (most hall kiosks stand upright);
``--landscape`` for 1920×1080, ``--size WxH`` for anything else, ``--windowed`` for a
desktop. The staff PIN comes from ``--staff-pin``, else ``$YIMEN_KIOSK_PIN``, else the
sample halls' default 2468 (see docs/kiosk.md: change it for a real hall).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

DEFAULT_PIN = "2468"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m kiosk.citizen", description="一门 citizen kiosk (取号机)")
    p.add_argument("--config", required=True, type=Path, help="the hall's TOML config")
    p.add_argument("--device", default="kiosk-01", help="this kiosk's device id in the config")
    p.add_argument("--data", default=Path(os.environ.get("YIMEN_DATA", "var")), type=Path,
                   help="data dir: broker/credentials.json and kiosk-secret live here")
    p.add_argument("--credentials", type=Path, help="default <data>/broker/credentials.json")
    orient = p.add_mutually_exclusive_group()
    orient.add_argument("--portrait", action="store_true", help="1080x1920 (default)")
    orient.add_argument("--landscape", action="store_true", help="1920x1080")
    orient.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1280x800")
    p.add_argument("--windowed", action="store_true", help="not full screen (desktops, tests)")
    p.add_argument("--staff-pin", default=os.environ.get("YIMEN_KIOSK_PIN", DEFAULT_PIN))
    p.add_argument("--add-staff-card", metavar="LABEL",
                   help="read staff badge codes (one per line, e.g. scanned into this terminal) and add "
                        "them to <data>/staff-cards under LABEL; then exit")
    p.add_argument("--log-level", default="INFO")
    return p.parse_args(argv)


def window_size(args: argparse.Namespace) -> tuple[int, int]:
    if args.size:
        w, _, h = args.size.lower().partition("x")
        return int(w), int(h)
    return (1920, 1080) if args.landscape else (1080, 1920)


def configure_kivy(size: tuple[int, int], fullscreen: bool) -> None:
    """Must run before anything imports kivy.core.window.  Touch wants a brisker frame
    rate than the wall displays; the window may be resized only when not full screen."""
    from kiosk.screens.setup import configure_kivy as configure

    configure(size, fullscreen, maxfps=60, resizable=not fullscreen)


def add_staff_cards(data: Path, label: str, codes: list[str]) -> int:
    """Append the keyed hashes of ``codes`` to ``<data>/staff-cards`` (no code is kept)."""
    from .viewmodel import staff_card_hash
    from .wiring import STAFF_CARDS_FILE, load_secret

    secret = load_secret(data)
    lines = [f"{staff_card_hash(c, secret)}  # {label.replace(chr(10), ' ')}\n" for c in codes if c.strip()]
    with open(data / STAFF_CARDS_FILE, "a", encoding="utf-8") as f:
        f.writelines(lines)
    return len(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.add_staff_card is not None:
        n = add_staff_cards(args.data, args.add_staff_card, sys.stdin.read().splitlines())
        print(f"已添加 {n} 张工作人员卡 / added {n} staff card(s) to {args.data / 'staff-cards'}")
        return
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from kiosk.viewmodels.runtime import check_credentials
    from queue_server.config import load_config

    cfg = load_config(args.config)
    creds = args.credentials or args.data / "broker" / "credentials.json"
    check_credentials(Path(creds), args.device)        # a plain message, before any window opens
    configure_kivy(window_size(args), not args.windowed)
    from .app import CitizenApp, KioskOptions

    if args.staff_pin == DEFAULT_PIN:
        logging.getLogger(__name__).warning(
            "the staff PIN is the sample halls' default (%s): set --staff-pin or $YIMEN_KIOSK_PIN for a real hall",
            DEFAULT_PIN)
    if not args.staff_pin.isdigit() or not 4 <= len(args.staff_pin) <= 12:
        raise SystemExit("员工密码须为 4–12 位数字 / the staff PIN must be 4–12 digits (the kiosk's pad has only digits)")
    CitizenApp(KioskOptions(cfg, args.device, creds, args.data, staff_pin=args.staff_pin)).run()


if __name__ == "__main__":
    main()
