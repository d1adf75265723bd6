"""The service menu "6+X" and the public "my grid" board 公示栏 (SPEC C4): the core services of the enabled
plugins plus the items an area adds, and for each grid, without sign-in, who serves it and how to reach them
(masked phones), the week's duty rota and the coming themed activities.

models: the `AreaMenu` record, inputs and outputs; service: menus and the board; poster: the board printed
as an A4/A3 PDF with the grid's mini-program code; routes: `/v1/areas/{code}/menu`, `/v1/areas/{code}/board`,
`/v1/areas/{code}/board/poster`.
"""
