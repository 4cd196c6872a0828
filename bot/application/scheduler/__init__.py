"""The scheduler edge: working calendar, deadlines, the nudge policy, the delivery outbox.

Nothing here is kept in APScheduler: every tick derives what is due from the database
(duties, reports, users, snoozes, calendar) and the outbox's unique key makes the
result idempotent. See `bot.application.scheduler.service` for the one JobQueue job.
"""
