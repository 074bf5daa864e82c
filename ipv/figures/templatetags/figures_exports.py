"""The quarterly report's form on the agency's dashboard, for those who may ask for it."""

from django import template

from ipv.figures.exports import ReportForm

register = template.Library()


@register.inclusion_tag("figures/report_form.html", takes_context=True)
def quarterly_report_form(context):
    """The form the page was given (with its errors, after a refused quarter), else a new one;
    nothing for a member who may not ask for the report."""
    request = context["request"]
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can("figures.report"):
        return {"report_form": None}
    return {
        "request": request,
        "report_form": context.get("report_form") or ReportForm(),
        "action": "agency",
    }
