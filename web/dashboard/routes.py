"""The dashboard's routes: every page behind login; jobs and accounts for admins only."""

from __future__ import annotations

from starlette.routing import Route

from web.dashboard import admin_pages, auth, flows, lists
from web.dashboard.auth import Handler


def admin(handler: Handler) -> Handler:
    return auth.login_required(handler, admin_only=True)


def routes() -> list[Route]:
    viewer = auth.login_required
    return [
        Route("/admin/", viewer(flows.overview)),
        Route("/admin/login", auth.login_page, methods=["GET", "POST"]),
        Route("/admin/logout", auth.logout, methods=["POST"]),
        Route("/admin/flows/", viewer(flows.flow_list)),
        Route("/admin/flows.csv", viewer(flows.flow_list_csv)),
        Route("/admin/flows/{flow}.csv", viewer(flows.flow_csv)),
        Route("/admin/flows/{flow}", viewer(flows.flow_page)),
        Route("/admin/participants/", viewer(lists.participants)),
        Route("/admin/participants.csv", viewer(lists.participants_csv)),
        Route("/admin/participants/{pseudonym}.csv", viewer(lists.participant_csv)),
        Route("/admin/participants/{pseudonym}", viewer(lists.participant)),
        Route("/admin/interactions/", viewer(lists.interactions)),
        Route("/admin/interactions.csv", viewer(lists.interactions_csv)),
        Route("/admin/answers/{flow}.csv", viewer(lists.answers_csv)),
        Route("/admin/answers/{flow}", viewer(lists.answers)),
        Route("/admin/jobs/", admin(admin_pages.jobs)),
        Route("/admin/jobs.csv", admin(admin_pages.jobs_csv)),
        Route("/admin/accounts/", admin(admin_pages.accounts)),
        Route("/admin/accounts.csv", admin(admin_pages.accounts_csv)),
    ]
