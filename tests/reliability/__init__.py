"""Reliability cases of issue 22 ("nothing lost, nothing leaked, no traceback"), by kind:

- ``test_dates``: every date form evaluate() may meet, one reading path, bad dates named;
- ``test_outputs``: ``--out`` checked first, written whole, never clobbered, OSError in one line;
- ``test_disclosure``: no small count published or recoverable (metric tables, notes, the
  relative rate's reference, the report's cohort flow), with an attacker as a property test;
- ``test_pipeline_inputs``: labelled treatment with case records, text dates in case tables;
- ``test_yaml_and_text``: hostile YAML and text escaped for the terminal, Markdown and CSV;
- ``test_weights_and_warnings``: weights checked alike; no numpy warning on edge cases;
- ``test_messages``: each message names the argument or column, the problem and the remedy.
"""
