"""The curators' dashboard: what families ask, what fails, what was rated
unhelpful and the questions for the team, over a chosen period, as a web page
served by the Rasa server itself (so it reads the same tracker store in either
profile, the in-memory one included).

- `stats`: the figures, from the conversations and the team's questions.
- `page`: the HTML, with its charts drawn as SVG on the server (no script, no
  chart library to ship) and every chart's data also as a table.
- `routes`: the login (the curator token) and the pages, registered like an
  input channel in credentials.yml so that Rasa mounts them."""
