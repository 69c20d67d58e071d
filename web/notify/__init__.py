"""Applicants told (issue 23): notices in the site's inbox and by e-mail (SMTP configured by the environment),
the 受理回执 (a printable HTML receipt). `web.notify.send` is what the other pages call; `web.notify.views` the
inbox blueprint."""
