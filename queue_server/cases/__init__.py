"""Cases (办件): the one-door, one-stop process, as a pure engine.

``decide(ctx, state, command, now) -> Decision`` and ``apply(state, event) -> state``,
like the queue engine: no I/O, no clock, no randomness.  Deadlines, the duty roster and
the figures are pure functions over the folded state.
"""

from .commands import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .model import (  # noqa: F401
    BAD_RATINGS, FEEDBACK_TRANSITIONS, FOLLOW_UP_TRANSITIONS, PROXY_STEPS, PROXY_TRANSITIONS,
    RATING_NAMES, TRANSITIONS, Case, CasesState, CaseStatus, DeliveryMethod, Feedback,
    FeedbackKind, FeedbackSource, FeedbackStatus, FollowUpStatus, ProxyStep, RatingLevel,
    SuspendReason, initial_cases,
)
from .rejections import CaseRejectionCode, Rejected, rejection  # noqa: F401
from .decide import CaseContext, CaseRules, Decision, contains_plain_id, decide, mask_name  # noqa: F401
from .evolve import apply, apply_all  # noqa: F401
from .deadlines import (  # noqa: F401
    DeadlineStatus, completed_on_time, deadline_status, is_overdue, legal_due, promised_due,
    working_days_left,
)
