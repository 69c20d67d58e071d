"""The applicant's inbox (issue 23): `web.notify.views` lists the notices and prints the 受理回执 (a printable HTML
receipt). Sending lives below the blueprints in `web.notices`."""
