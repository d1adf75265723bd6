"""Grid assignments and coverage 全覆盖 (SPEC C3): people and institutions assigned to a coverage role
for a grid, or for a village, town or district covering every grid below it, and the report of which
grids still lack a role. The roles come from the enabled plugins (`coverage_roles`) plus the platform's.

models: the `Assignment` record, role definitions, inputs and outputs; service: assigning, ending, listing
and the coverage report; routes: `/v1/coverage-roles`, `/v1/assignments…`, `/v1/areas/{code}/coverage…`.
"""
