"""Writes of the sessions app, one module per subject: groups (curricula, groups, sessions),
enrolment, attendance (and what follows from it: completion, non-compliance), documents."""
