"""The API's JSON parser (its settings name it: imported by DRF before the views)."""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing as malformed a body nested past Python's recursion limit
    (DRF turns only ValueError into a ParseError), and one whose text is not Unicode: a lone
    surrogate ("\\ud800") is valid JSON, but no text of Python or PostgreSQL can hold it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from None
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise exceptions.ParseError(_("The JSON holds text that is not Unicode.")) from None
        return data
