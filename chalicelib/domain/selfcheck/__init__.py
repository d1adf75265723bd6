"""Self-check 自助测评 (issue 25): before applying, without signing in, a resident answers a short
questionnaire and learns, for each enabled service that declares a self-check (`chalicelib.plugin.SelfCheck`),
whether help is likely, not likely or depends — by the service's own named criteria, with their reasons, the
rule in force at the resident's area that day (and a version already set for a later day), the papers to bring
and the route to apply.

models: the questionnaire, the answers and the verdicts; service: merging the services' questions, checking
the answers, asking each service (one failing alone); routes: `GET /v1/self-check/questions`,
`POST /v1/self-check`. Nothing the resident typed is stored or logged: the only write is the per-address
rate counter, keyed by a keyed hash of the address.
"""
