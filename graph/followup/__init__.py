"""Follow-up: what happens after a suggestion or a guest list.

* :mod:`graph.followup.pipeline` — shortlist candidates move through
  vorgeschlagen → angefragt → zugesagt / abgesagt / zurückgestellt; open
  steps sorted with the overdue ones on top; acceptance by rank and factor;
* :mod:`graph.followup.invitations` — a guest's invitation status
  (eingeladen → zugesagt / abgesagt → teilgenommen) and its allowed moves
  (matching an attendance list to contacts and the quota check against who
  actually came need persons: :mod:`graph.people.attendance`);
* :mod:`graph.followup.changes` — what changed in the network between two
  states (new and ended projects, institutions, partnerships, contacts).

Pure domain logic: the workspace (:mod:`loaders.workspace.followup`) stores
it, the dashboard shows it.
"""
