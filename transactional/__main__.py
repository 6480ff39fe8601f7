"""``python -m transactional …`` runs the ``tx`` commands (how ``grouplake up`` starts it)."""

from transactional.cli import tx_app

tx_app(prog_name="python -m transactional")
