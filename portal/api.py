"""REST API v1: the routes of every app's API views, and the OpenAPI schema and its docs."""


urlpatterns: list = []
