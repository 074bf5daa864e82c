"""Curricula, groups, sessions, enrolment, attendance and completion."""
