"""Telling applicants (issue 23), below the blueprints: `send` records a notice in the inbox and e-mails it,
`mailer` speaks SMTP as the environment configures it. Every blueprint that tells someone something calls these;
the inbox pages are the `web.notify` blueprint."""
