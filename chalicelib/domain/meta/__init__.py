"""The API about itself: health (with the stage, the enabled plugins and the server's clock), the OpenAPI
document built from the routes the app really has, and the caller's own claims. No models of its own
beyond the three small responses, no service: routes only.
"""
