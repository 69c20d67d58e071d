"""The self-check's answers, below the blueprints: the form's field specs (`specs`), its pages (`steps`), answers ↔
profile (`mapping`) and where answers are kept — the session, drafts, declined questions (`store`). The self-check
blueprint asks; applying (web.applications) and logging in (web.auth) read the same answers from here."""
