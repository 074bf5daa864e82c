"""allauth's messages that Canadian French says differently ("courriel", not "e-mail").

Listed here so that `makemessages` puts them in our catalog, which Django reads before
allauth's own.
"""

from django.utils.translation import gettext_noop

REWORDED = [
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an "
        "email allowing you to reset it."
    ),
    gettext_noop("Reset My Password"),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam "
        "folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
]
