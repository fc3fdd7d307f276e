"""Working fakes shipped as product code: they run the demo on a laptop with no
hardware and back the tests. Each can be told to fail."""

from __future__ import annotations

import logging
import threading

from devices.health import Consequence, DeviceHealth, DeviceState, Reason
from devices.printer import PaperCounter, PrintResult, render_ticket
from devices.ticket import PrinterConfig, TicketSlip, layout_length_mm, slip_layouts

log = logging.getLogger(__name__)

_PRINTER_FAULTS: dict[Reason, DeviceState] = {
    Reason.PAPER_OUT: DeviceState.FAULT,
    Reason.COVER_OPEN: DeviceState.FAULT,
    Reason.PRINTER_ERROR: DeviceState.FAULT,
    Reason.NOT_ANSWERING: DeviceState.OFFLINE,
    Reason.UNPLUGGED: DeviceState.OFFLINE,
    Reason.WRITE_FAILED: DeviceState.OFFLINE,
}


class RecordingPrinter:
    """Renders tickets to the exact bytes a real printer would get and keeps them.

    ``fail_with(Reason.PAPER_OUT)`` makes every print fail until ``recover()``;
    ``near_end()`` gives a warning but still prints.
    """

    def __init__(self, config: PrinterConfig | None = None) -> None:
        self.config = config or PrinterConfig()
        self.device_id = self.config.device_id
        self.jobs: list[bytes] = []
        self.slips: list[TicketSlip] = []
        self._fault: Reason | None = None
        self._warning = False
        self._counter = PaperCounter(self.config.roll_length_mm, self.config.near_end_mm)
        self._lock = threading.Lock()

    def fail_with(self, reason: Reason) -> None:
        if reason not in _PRINTER_FAULTS:
            raise ValueError(f"not a printer fault: {reason}")
        self._fault = reason

    def near_end(self, on: bool = True) -> None:
        self._warning = on

    def recover(self) -> None:
        self._fault = None
        self._warning = False

    def health(self) -> DeviceHealth:
        if self._fault is not None:
            return DeviceHealth(self.device_id, _PRINTER_FAULTS[self._fault], self._fault, Consequence.CANNOT_PRINT)
        if self._warning:
            return DeviceHealth(self.device_id, DeviceState.WARNING, Reason.PAPER_NEAR_END, Consequence.PRINT_SOON_IMPOSSIBLE)
        return self._counter.health(self.device_id)

    def print_ticket(self, slip: TicketSlip, with_notice: bool = False) -> PrintResult:
        with self._lock:
            health = self.health()
            if not health.usable:
                return PrintResult(False, health)
            data = render_ticket(slip, self.config, with_notice)
            self.jobs.append(data)
            self.slips.append(slip)
            self._counter.add(sum(layout_length_mm(x) for x in slip_layouts(slip, self.config, with_notice)))
            return PrintResult(True, health, 2 if with_notice and slip.materials else 1, len(data))

    def roll_changed(self) -> None:
        self._counter.roll_changed()

    def close(self) -> None:
        return None
