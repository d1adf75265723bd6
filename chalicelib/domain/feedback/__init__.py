"""Feedback 好差评 (SPEC C6): residents rate a closed ticket on the national five levels for service attitude,
efficiency and competence (服务态度·办事效率·业务水平, GB/T 39734-2020); a bad rating opens a rectification
task for the area (callback and rectification, each with a time limit in working days); staff may appeal a
rating, decided by the area's supervisor; per area and month: satisfaction, callback and on-time rates.

- `models`   the rating and rectification records, their lists, request and response models
- `service`  the rules;  `routes`  the HTTP surface at `/v1/feedback`
"""
