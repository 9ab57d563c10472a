"""Posting the plan to GitHub (REST API, standard library): sticky PR comments, the drift issue.

``client`` is the small HTTP client (token, pagination, one-line errors without the token);
``comments`` finds ecsplan's own comments by a hidden marker and creates, updates or deletes
them so that a pull request carries one comment per plan part, whatever the number of pushes;
``issues`` keeps one open drift issue per plan key the same way (opened, updated, closed).
Imported only by the commands that post (``plan --github-comment``, ``plan --github-issue``,
``comment``), so the rest of the CLI never loads urllib's HTTP machinery.
"""
