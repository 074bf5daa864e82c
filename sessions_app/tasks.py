from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from sessions_app.models import Certificate, CourtReport, Group
from sessions_app.services.documents import document_render
from sessions_app.services.groups import sessions_extend
from sessions_app.services.reminders import session_reminders_prepare

MODELS = {"certificate": Certificate, "courtreport": CourtReport}


@shared_task
def render_document(model_name: str, pk: int):
    """Render one document's PDF. Idempotent: a rendered document is left as it is."""
    document = MODELS[model_name].objects.filter(pk=pk).first()
    if document is not None:
        document_render(document)


@shared_task
def render_pending_documents():
    """Render what the broker missed (it was down when the document was issued)."""
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    for model in MODELS.values():
        for document in model.objects.filter(pdf=b"", pdf_file="", issued_at__lt=a_minute_ago)[:50]:
            document_render(document)


@shared_task
def extend_group_schedules():
    """Keep every running group's sessions written a few months ahead. Idempotent."""
    for group in Group.objects.filter(is_active=True):
        sessions_extend(group=group)


@shared_task(name="sessions_app.tasks.prepare_session_reminders")
def prepare_session_reminders():
    """Write the reminders of tomorrow's sessions once their agency's time has come.
    Idempotent: each reminder has its key; two runs at once do the work once."""
    return session_reminders_prepare()
