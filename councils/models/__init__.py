"""まちづくり協議会: councils per city project, their workshops with sign-ups and waiting lists and
published outputs, and the facilitator training and pool. Imports no other mechanism app."""

from .councils import Council, CouncilStatusChange, Department, Material
from .facilitators import Assignment, Facilitator
from .sessions import Opinion, Photo, Session, SessionStatusChange
from .signups import Channel, Interpreting, Signup, SignupStatusChange

__all__ = [
    "Assignment",
    "Channel",
    "Council",
    "CouncilStatusChange",
    "Department",
    "Facilitator",
    "Interpreting",
    "Material",
    "Opinion",
    "Photo",
    "Session",
    "SessionStatusChange",
    "Signup",
    "SignupStatusChange",
]
