"""Posting the plan to a GitHub pull request as sticky comments (REST API, standard library).

``client`` is the small HTTP client (token, pagination, one-line errors without the token);
``comments`` finds ecsplan's own comments by a hidden marker and creates, updates or deletes
them so that a pull request carries one comment per plan part, whatever the number of pushes.
Imported only by the commands that post (``plan --github-comment``, ``comment``), so the rest of
the CLI never loads urllib's HTTP machinery.
"""
