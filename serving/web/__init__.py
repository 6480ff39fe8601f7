"""The procurement web page's templates and SVG charts (its routes: ``serving.api.procurement_page``):
server-rendered HTML over the serving snapshot, no build step.

``/procurement`` lists the elimination list with its reasons; ``/procurement/suppliers/{key}``
is the supplier 360 with SVG trend charts (overall and group scores, prices against the
category median), the weakest metrics and the elimination status. Same tokens as the APIs:
a bearer header, or the token pasted once on ``/procurement/login`` (kept in an HttpOnly,
SameSite=Strict cookie scoped to ``/procurement``).
"""
