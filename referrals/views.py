from django.shortcuts import render
from django.views.decorators.http import require_GET

from ipv.core.permissions import liaison


@liaison
@require_GET
def court_home(request):
    """The court liaison officer's portal: their courts and the agencies that serve them."""
    courts = request.user.liaison.courts.select_related("region").prefetch_related("agencies")
    return render(request, "referrals/court_home.html", {"courts": courts})
