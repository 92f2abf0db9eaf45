"""Imported first by the forkserver of a local pool (its preload list): from then on the
forkserver dies with the run that started it (:mod:`.orphans`). Nothing else imports it."""

from .orphans import die_with_owner

die_with_owner()
