"""Evaluations: forms defined as data, periods, immutable evaluations, reminders and the scheduler
job."""
