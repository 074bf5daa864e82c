"""`make load`: 200 staff working at once against gunicorn with production settings.

`seed` builds the data set once in its own database and, before each run, signs the staff in
and writes the run's plan (who is who, which pages and records each works on); `locustfile`
is what Locust runs from that plan, in a process of its own (Locust patches the standard
library with gevent when imported). The command is ipv.pages.management.commands.load.
"""
