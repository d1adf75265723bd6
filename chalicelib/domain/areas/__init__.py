"""Areas (SPEC C1): the administrative area tree a bureau works in — province → city → district →
town/street → village/community → grid — keyed by the statistical division codes.

models: the `Area` record, the code vocabulary (`level_of`, `parent_of`, `ancestors`), inputs and outputs;
service: reading and changing the tree; routes: `/v1/areas…`.
"""
