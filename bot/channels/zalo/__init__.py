"""Zalo channel: the Zalo Bot Platform API (bots made in "Zalo Bot Manager").

`client` speaks the HTTP API (envelope read, errors mapped, the token kept out of
every log line and exception), `updates` turns an update into an `IncomingMessage`
and drops duplicates, `sender` delivers a `Reply` as plain text, and `polling` is
the long-polling loop. What is verified and what is assumed about the platform is
listed in `client`'s docstring.
"""
