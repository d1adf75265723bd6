"""Institutions and people (SPEC C2): notary offices, legal-aid centres, mediation committees, law firms,
appraisal institutions and the public legal service platform (中心/工作站/工作室), each mapped to the areas
it serves; the people of the bureau's network with their roles and a public contact card (phone masked).

models: records, kinds and roles, inputs and outputs; service: registering, changing and listing them, who
serves an area, and the small read helpers coverage, board and rota share; routes: `/v1/institutions…`,
`/v1/people…`, `/v1/areas/{code}/institutions`.
"""
