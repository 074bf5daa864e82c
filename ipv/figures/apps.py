from django.apps import AppConfig


class FiguresConfig(AppConfig):
    """The program's figures: the dashboards of an agency, a court and the province, the
    outcomes, and the statistical exports. It reads every app below it and writes none of
    their rows; each figure's definition lives here, once (ipv.figures.definitions)."""

    name = "ipv.figures"
    label = "figures"
