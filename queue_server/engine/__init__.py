"""The pure queue engine: (config, state, command, now) -> events; (state, event) -> state.

Nothing here does I/O, reads a clock, draws a random number or starts a thread:
time, business day and ids come in as arguments, so the same engine drives the live
server, the replay after a power cut, the tests and the simulator.
"""

from .commands import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .model import HallState, Ticket, TicketStatus, WindowState, WindowStatus, initial_state  # noqa: F401
from .rejections import Rejected, RejectionCode, rejection  # noqa: F401
from .decide import Context, Decision, advance_counters, choose_next, decide, roll_over  # noqa: F401
from .evolve import apply, apply_all  # noqa: F401
