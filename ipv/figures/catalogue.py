"""Every section and figure, in the order the pages and the exports show them."""

from ipv.figures.definitions import Figure, Section
from ipv.figures.sections import court, flow

SECTIONS: tuple[Section, ...] = (flow.SECTION, court.SECTION)

FIGURES: dict[str, Figure] = {
    figure.key: figure for section in SECTIONS for figure in section.figures
}
SECTION_OF: dict[str, Section] = {
    figure.key: section for section in SECTIONS for figure in section.figures
}
