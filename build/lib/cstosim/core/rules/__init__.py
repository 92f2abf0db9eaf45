"""Decision rules: pure functions over arrays of worlds, one per rule, each citing its source.

Agents gather their inputs and call these; the model sequences the stages of a month. Nothing here
touches the model, a generator or global state: uniform draws come in as arguments, and every
behavioural parameter a rule reads is a keyword argument of its own, so a signature shows what a
rule uses. Shapes are ``(W,)`` over worlds unless stated; scalars broadcast. Source ids (E.., M..,
S...) resolve in ``docs/bibliography.md``; the stages are described in ``docs/model.md``.

One module per stage: :mod:`.choice` (how a draw becomes a decision), :mod:`.perceive`,
:mod:`.appeal`, :mod:`.russia`, :mod:`.council`, :mod:`.trust`, :mod:`.membership`,
:mod:`.support`.
"""
