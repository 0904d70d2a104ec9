"""The CRMO information assistant: curated knowledge, NLP pipeline and tools."""
