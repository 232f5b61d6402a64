"""Programs, their UTC timelines, organizations, their participation and the roles people hold."""

from programs.models.organizations import (
    Invitation,
    InvitationStatus,
    Membership,
    Organization,
    Participation,
    ParticipationStatus,
    ProgramManager,
    Role,
    Tag,
)
from programs.models.outbox import OutboxMail
from programs.models.programs import (
    Milestone,
    MilestoneKind,
    MilestoneState,
    Program,
    ProgramKind,
    ProjectSize,
    default_length_options,
    default_sizes_offered,
    default_stipend_base,
)

__all__ = [
    "Invitation",
    "InvitationStatus",
    "Membership",
    "Milestone",
    "MilestoneKind",
    "MilestoneState",
    "Organization",
    "OutboxMail",
    "Participation",
    "ParticipationStatus",
    "Program",
    "ProgramKind",
    "ProgramManager",
    "ProjectSize",
    "Role",
    "Tag",
    "default_length_options",
    "default_sizes_offered",
    "default_stipend_base",
]
