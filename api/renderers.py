"""CSV for list endpoints (``?format=csv`` or ``Accept: text/csv``): one header row, one row per result, in
UTF-8 with a BOM so that Excel reads Japanese correctly; the next page's address is in the ``Link`` header."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from analytics.exports import neutralise


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if isinstance(data, dict) and "results" in data:
            if response is not None and data.get("next"):
                response["Link"] = f'<{data["next"]}>; rel="next"'
            rows = data["results"]
        elif isinstance(data, dict) and "detail" in data:
            rows = [{"detail": data["detail"]}]
        else:
            rows = [data]
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else []
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralise(row.get(column)) for column in columns])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
