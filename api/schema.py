"""The OpenAPI document describes our API only (Wagtail's admin has DRF endpoints of its own)."""


def only_our_api(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
