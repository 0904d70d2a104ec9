"""Developer tooling: benchmarks, the load generator, the cluster harness, the
throwaway PostgreSQL and Redis, the NLU evaluations. Nothing here ships:
`bot/` and `actions/` never import it (tests/test_layout.py checks), and its
extra dependencies are in requirements/dev.in, not in the runtime lock."""
