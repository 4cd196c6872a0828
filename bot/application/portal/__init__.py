"""The web portal's decisions: login links and sessions (`login`), who may see what
(`access`), the managers' dashboard (`dashboard`), the admins' FAQ pages (`faq`), and
the `/web` chat command (`commands`). The web channel (`bot.channels.web`) only turns
HTTP requests into calls here and the results into pages."""
