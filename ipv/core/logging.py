"""Log processors. A log line must never carry case data: names, phone numbers, searches."""


def drop_query_strings(logger, method_name, event_dict):
    """Keep only the path of a logged request: query strings hold what people searched for."""
    request = event_dict.get("request")
    if isinstance(request, str) and "?" in request:
        event_dict["request"] = request.split("?", 1)[0]
    return event_dict
