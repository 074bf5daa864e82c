import gc
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


def settle() -> None:
    """Load what the first request would (warm_up), then put everything loaded so far out of
    the garbage collector's sight: it lives as long as the process, and a full collection no
    longer walks it — over a hundred milliseconds in the middle of a request, every few dozen
    requests of a page that builds many objects. Forked workers also keep sharing its memory
    rather than copying what the collector touches."""
    warm_up()
    gc.collect()
    gc.freeze()


settle()
