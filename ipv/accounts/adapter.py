from allauth.account.adapter import DefaultAccountAdapter

from ipv.notifications.services import message_enqueue


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up (people are invited); mail goes through the outbox."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        # Sign-in mail (password reset…) carries secrets: its body is dropped once sent.
        rendered = self.render_mail(template_prefix, email, context)
        html = next(
            (
                body
                for body, mimetype in getattr(rendered, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        message_enqueue(
            to=email, subject=rendered.subject, text=rendered.body, html=html, sensitive=True
        )
