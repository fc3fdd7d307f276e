"""Who may send which command: checked by the server on top of the broker's ACL.

The broker only knows that ``kiosk-01`` may publish on ``cmd/kiosk-01``; what a
command may do depends on the device's role and, for clerks, on its window.
"""

from __future__ import annotations

from ..cases import commands as CC
from ..config import DeviceKind, HallConfig
from ..engine import commands as C
from ..engine.rejections import Rejected, RejectionCode, rejection

KIOSK_COMMANDS: frozenset[type] = frozenset({C.IssueTicket, C.CheckIn, C.VoidIssue, CC.SubmitFeedback})
# Only a kiosk may say "the ticket I asked for was never handed over", and only of its
# own command ids (the server scopes the id to the sender); not even a manager console.
KIOSK_ONLY_COMMANDS: frozenset[type] = frozenset({C.VoidIssue})
RATING_PAD_COMMANDS: frozenset[type] = frozenset({CC.RateCase, CC.SubmitFeedback})

# Commands a clerk may send for its own window (the command's ``window`` field).
CLERK_WINDOW_COMMANDS: frozenset[type[C.Command]] = frozenset({
    C.CallNext, C.CallTicket, C.Recall, C.MarkNoShow, C.StartService, C.FinishService,
    C.Transfer, C.Hold, C.Resume, C.AddItem, C.OpenWindow, C.PauseWindow, C.CloseWindow,
    CC.OpenCase,
})
CLERK_OTHER_COMMANDS: frozenset[type] = frozenset({
    C.Reinstate,
    # Case work at the window: the case number names the case, the clerk is recorded.
    CC.RequestMaterials, CC.SupplyMaterials, CC.StartProcessing, CC.ForwardCase, CC.ReturnCase,
    CC.SuspendCase, CC.ResumeCase, CC.ExtendDeadline, CC.CompleteCase, CC.WithdrawCase,
    CC.DeliverResult, CC.EntrustCase, CC.RecordProxyStep, CC.SubmitFeedback, CC.AnswerFollowUp,
})


def authorize(cfg: HallConfig, device_id: str, cmd: object) -> Rejected | None:
    """None when ``device_id`` may send ``cmd``, else a ``not_authorized`` refusal."""
    device = cfg.device(device_id)
    kind = type(cmd)
    if device is None:
        return rejection(RejectionCode.NOT_AUTHORIZED, f"unknown device {device_id}")
    if device.kind is DeviceKind.MANAGER_CONSOLE and kind not in KIOSK_ONLY_COMMANDS:
        return None
    if device.kind is DeviceKind.KIOSK and kind in KIOSK_COMMANDS:
        return None
    if device.kind is DeviceKind.RATING_PAD and kind in RATING_PAD_COMMANDS:
        return None
    if device.kind is DeviceKind.RATING_PAD and kind is C.RateService:
        if getattr(cmd, "window", None) == device.window:
            return None
        return rejection(RejectionCode.NOT_AUTHORIZED, f"{device_id} rates window {device.window} only")
    if device.kind is DeviceKind.CLERK_CONSOLE:
        if kind in CLERK_OTHER_COMMANDS:
            return None
        if kind in CLERK_WINDOW_COMMANDS:
            target = getattr(cmd, "window", None)
            if target == device.window:
                return None
            return rejection(RejectionCode.NOT_AUTHORIZED, f"{device_id} serves window {device.window}, not {target}")
    return rejection(RejectionCode.NOT_AUTHORIZED, f"{device.kind} {device_id} may not send {kind.__name__}")
