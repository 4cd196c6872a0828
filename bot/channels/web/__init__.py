"""The web portal, a channel on the project's one HTTP listener: routes, cookies,
forms and pages (Jinja2, `templates/web/`, static files served from here, no CDN).
What a visitor may see and every number come from `bot.application.portal`."""
