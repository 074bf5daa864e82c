import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipv.settings")

application = get_wsgi_application()


def warm_up() -> None:
    """Load now what each web process would otherwise load on its first request: the URLconf,
    every view it imports, and its patterns in each language (most of a second). Under
    `gunicorn --preload` the workers are forked from this process with it done. Nothing here
    touches the database: a connection opened before the fork would be shared."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 (populates the language's patterns)


warm_up()
