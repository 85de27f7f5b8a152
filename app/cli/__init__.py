"""The `escalate` command line: a thin UI over app.services, like app/ui is for the browser."""
