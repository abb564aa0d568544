"""Who may use each route: the expected answer per role, in one table.

A NEW ROUTE MUST BE ADDED HERE, or tests/audit/test_matrix.py fails and names it. Pick the
role class that says who gets through (or write a dict of role -> OK / LOGIN / NO):

  ANYONE          everybody, signed in or not
  SIGNED_IN       every signed-in user; a visitor is sent to sign in
  STAFF           teachers (of any school) and the admin
  ADMIN           the cluster admin only
  TEAM_A          who works for the row's team: its pupils, its school's teachers, the admin
  PUPIL_A_OWN     only the pupil who wrote the row (or whom it notifies)
  SCHOOL_A_STAFF  the row's school's teachers and the admin (pupils: no)
  PLATFORM        the platform admin only (makes clusters); not the cluster admin

The matrix fills each path id with a row of team A (Aylsham Makers, Aylsham High: see
world.py) and asks as the eight roles of world.ROLES. Refused roles get LOGIN (a visitor:
sent to sign in) or NO (403 or 404), and an unsafe request that is refused changes nothing.
By symmetry, a role of school A asking for school B's row gets what the matching role of
school B got for school A's row (the IDOR test)."""

from __future__ import annotations

OK, LOGIN, NO = "ok", "login", "no"

_VISITOR = {"anonymous": LOGIN}
_NOBODY = {role: NO for role in ("community", "pupil_a", "pupil_b", "teacher_a", "teacher_b")}
# a platform admin is a cluster admin too (in their own cluster): their answers are the admin's
ANYONE = {role: OK for role in ("anonymous", *_NOBODY, "admin", "platform")}
SIGNED_IN = {**ANYONE, **_VISITOR}
ADMIN = {**_VISITOR, **_NOBODY, "admin": OK, "platform": OK}
STAFF = {**ADMIN, "teacher_a": OK, "teacher_b": OK}
SCHOOL_A_STAFF = {**ADMIN, "teacher_a": OK}
TEAM_A = {**SCHOOL_A_STAFF, "pupil_a": OK}
# the row's own author or recipient only (pupil A's words, pupil A's notification): another
# pupil, teachers and the admin get a 404
PUPIL_A_OWN = {**ADMIN, "admin": NO, "platform": NO, "pupil_a": OK}
# above the cluster admin: a platform admin makes clusters (issue 15)
PLATFORM = {**ADMIN, "admin": NO}

EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    # site, sign-in, schools, teams
    ("GET", "/"): ANYONE,
    ("GET", "/health"): ANYONE,
    ("GET", "/privacy"): ANYONE,
    ("GET", "/privacy/young"): ANYONE,
    ("GET", "/dashboard"): SIGNED_IN,
    ("GET", "/login"): ANYONE,  # signed in: sent on to the dashboard
    ("POST", "/login"): ANYONE,
    ("POST", "/logout"): ANYONE,
    ("GET", "/schools"): ANYONE,
    ("GET", "/schools/{slug}"): ANYONE,
    ("GET", "/teams/new"): STAFF,
    ("POST", "/teams/new"): STAFF,
    ("GET", "/teams/{slug}"): ANYONE,
    ("GET", "/teams/{team_id}/workspace"): TEAM_A,
    ("POST", "/teams/{team_id}/members"): SCHOOL_A_STAFF,
    ("POST", "/teams/{team_id}/members/{member_id}/remove"): SCHOOL_A_STAFF,
    # accounts
    ("GET", "/pupils"): STAFF,
    ("GET", "/pupils/new"): STAFF,
    ("POST", "/pupils/new"): STAFF,
    ("POST", "/pupils/{pupil_id}/active"): SCHOOL_A_STAFF,
    ("POST", "/pupils/{pupil_id}/reset"): SCHOOL_A_STAFF,
    ("POST", "/pupils/{pupil_id}/photo-consent"): SCHOOL_A_STAFF,
    ("GET", "/pupils/{pupil_id}/data"): SCHOOL_A_STAFF,
    ("GET", "/pupils/{pupil_id}/data/export"): SCHOOL_A_STAFF,
    ("POST", "/pupils/{pupil_id}/data/erase"): SCHOOL_A_STAFF,
    ("GET", "/account"): STAFF,  # a staff member's own settings: the daily moderation e-mail
    ("POST", "/account"): STAFF,
    ("GET", "/admin/staff"): ADMIN,
    ("GET", "/platform/clusters"): PLATFORM,
    ("POST", "/platform/clusters"): PLATFORM,
    ("POST", "/platform/clusters/{cluster_id}/schools"): PLATFORM,
    # the cluster admin sets up their own cluster (issue 15)
    ("GET", "/admin/cluster"): ADMIN,
    ("POST", "/admin/cluster"): ADMIN,
    ("POST", "/admin/cluster/logo"): ADMIN,
    ("POST", "/admin/cluster/logo/remove"): ADMIN,
    ("POST", "/admin/cluster/schools"): ADMIN,
    ("GET", "/cluster.css"): ANYONE,  # the cluster's colours
    # no logo in the audit's world: 404 for all (a set logo is served: tests/clusters/test_setup)
    ("GET", "/cluster-logo/{logo_name}"): {role: NO for role in ANYONE},
    ("POST", "/admin/staff"): ADMIN,
    ("POST", "/admin/staff/{user_id}/active"): ADMIN,
    ("POST", "/admin/staff/{user_id}/reset"): ADMIN,
    ("GET", "/pupils/{pupil_id}/new-password"): SCHOOL_A_STAFF,  # the second step
    ("POST", "/pupils/{pupil_id}/unlock"): SCHOOL_A_STAFF,
    # classes, picture sign-in, the summer rollover (a teacher: their own school's)
    ("GET", "/classes"): STAFF,
    ("POST", "/classes"): STAFF,
    ("GET", "/classes/{class_id}"): SCHOOL_A_STAFF,
    ("GET", "/classes/{class_id}/print"): SCHOOL_A_STAFF,
    ("POST", "/classes/{class_id}/kind"): SCHOOL_A_STAFF,
    ("POST", "/classes/{class_id}/code"): SCHOOL_A_STAFF,
    ("POST", "/classes/{class_id}/pupils"): SCHOOL_A_STAFF,
    ("POST", "/classes/{class_id}/members"): SCHOOL_A_STAFF,
    ("POST", "/classes/{class_id}/cards"): SCHOOL_A_STAFF,
    ("POST", "/classes/{class_id}/pupils/{pupil_id}/card"): SCHOOL_A_STAFF,
    ("POST", "/classes/{class_id}/pupils/{pupil_id}/unlock"): SCHOOL_A_STAFF,
    ("GET", "/classes/rollover"): STAFF,
    ("POST", "/classes/rollover"): STAFF,
    ("POST", "/classes/rollover/hand-over"): STAFF,
    ("POST", "/classes/rollover/erase-date"): STAFF,
    ("POST", "/classes/rollover/erase"): STAFF,
    # the class's link is its key: whoever holds it (the child taps a name, then pictures)
    ("GET", "/sign-in/{school}/{code}"): ANYONE,
    ("GET", "/sign-in/{school}/{code}/{pupil_id}"): ANYONE,
    ("POST", "/sign-in/{school}/{code}/{pupil_id}"): ANYONE,
    ("POST", "/sign-in/{school}/{code}/{pupil_id}/pick"): ANYONE,
    # transition days: Aylsham High's teachers (school A) invite; the invited pupils see
    ("GET", "/transition"): SIGNED_IN,
    ("POST", "/transition/invite"): SCHOOL_A_STAFF,
    ("POST", "/transition/follows/{follow_id}/remove"): SCHOOL_A_STAFF,
    # background jobs
    ("GET", "/admin/jobs"): ADMIN,
    ("POST", "/admin/jobs/{job_id}/retry"): ADMIN,
    # catalogue, projects, photos, moderation
    ("GET", "/products"): ANYONE,
    ("GET", "/products/{product_id}"): ANYONE,
    ("GET", "/products/{product_id}/edit"): TEAM_A,
    ("POST", "/products/{product_id}/edit"): TEAM_A,
    ("POST", "/products/{content_id}/submit"): TEAM_A,
    ("POST", "/products/{content_id}/photos"): TEAM_A,
    ("POST", "/products/{content_id}/photos/{photo_id}/remove"): TEAM_A,
    ("GET", "/teams/{team_id}/products/new"): TEAM_A,
    ("POST", "/teams/{team_id}/products/new"): TEAM_A,
    ("GET", "/projects"): ANYONE,
    ("GET", "/projects/{project_id}"): ANYONE,
    ("GET", "/projects/{project_id}/edit"): TEAM_A,
    ("POST", "/projects/{project_id}/edit"): TEAM_A,
    ("POST", "/projects/{content_id}/submit"): TEAM_A,
    ("POST", "/projects/{content_id}/photos"): TEAM_A,
    ("POST", "/projects/{content_id}/photos/{photo_id}/remove"): TEAM_A,
    ("POST", "/projects/{project_id}/tallies"): TEAM_A,
    ("POST", "/projects/{project_id}/tallies/{tally_id}/remove"): TEAM_A,
    ("GET", "/teams/{team_id}/projects/new"): TEAM_A,
    ("POST", "/teams/{team_id}/projects/new"): TEAM_A,
    ("GET", "/media/{name}"): ANYONE,  # a published photo
    ("GET", "/moderation"): STAFF,
    ("GET", "/moderation/log"): STAFF,
    ("POST", "/moderation/{kind_name}/{content_id}/{action}"): SCHOOL_A_STAFF,
    ("POST", "/moderation/approve-selected"): STAFF,  # each item: its own school's teacher
    # market days, stalls, money, reports
    ("GET", "/market-days"): ANYONE,
    ("GET", "/market-days/{day_id}"): ANYONE,
    ("GET", "/admin/market-days"): ADMIN,
    ("POST", "/admin/market-days"): ADMIN,
    ("GET", "/admin/market-days/{day_id}"): ADMIN,
    ("POST", "/admin/market-days/{day_id}/stalls"): ADMIN,
    ("POST", "/admin/market-days/{day_id}/status"): ADMIN,
    ("GET", "/admin/market-days/{day_id}/closing"): ADMIN,
    ("GET", "/admin/market-days/{day_id}/edit"): ADMIN,
    ("POST", "/admin/market-days/{day_id}/edit"): ADMIN,
    ("POST", "/admin/market-days/{day_id}/remove"): ADMIN,
    ("POST", "/admin/market-days/{day_id}/stalls/{stall_id}/remove"): ADMIN,
    ("GET", "/admin/market-days/{day_id}/pre-orders"): ADMIN,
    ("POST", "/admin/market-days/{day_id}/pre-orders"): ADMIN,
    ("GET", "/stalls/{stall_id}"): TEAM_A,
    ("GET", "/stalls/{stall_id}/stock"): TEAM_A,
    ("POST", "/stalls/{stall_id}/stock"): TEAM_A,
    ("POST", "/stalls/{stall_id}/open"): TEAM_A,
    ("POST", "/stalls/{stall_id}/close"): TEAM_A,
    ("GET", "/stalls/{stall_id}/closing"): TEAM_A,
    ("GET", "/stalls/{stall_id}/summary"): TEAM_A,
    ("GET", "/stalls/{stall_id}/till"): TEAM_A,
    ("GET", "/stalls/{stall_id}/till.webmanifest"): TEAM_A,
    ("POST", "/stalls/{stall_id}/tickets"): TEAM_A,
    ("POST", "/stalls/{stall_id}/tickets/{ticket_id}/void"): TEAM_A,
    ("GET", "/stalls/sw.js"): ANYONE,  # the till's service worker: a static script
    ("POST", "/stalls/{stall_id}/sales"): TEAM_A,
    ("POST", "/stalls/{stall_id}/sales/{sale_id}/void"): TEAM_A,
    ("POST", "/stalls/{stall_id}/sales/{sale_id}/change"): TEAM_A,
    ("POST", "/stalls/{stall_id}/pre-orders/{order_id}/collect"): TEAM_A,
    ("GET", "/teams/{team_id}/market"): TEAM_A,
    ("POST", "/teams/{team_id}/market/expenses"): TEAM_A,
    # a recorded cost is corrected or removed by the team's teachers (pupils record them)
    ("GET", "/teams/{team_id}/market/expenses/{expense_id}"): SCHOOL_A_STAFF,
    ("POST", "/teams/{team_id}/market/expenses/{expense_id}"): SCHOOL_A_STAFF,
    ("POST", "/teams/{team_id}/market/expenses/{expense_id}/remove"): SCHOOL_A_STAFF,
    ("GET", "/reports"): STAFF,  # each teacher sees their own school's figures
    ("GET", "/reports/{slug}/csv"): STAFF,
    # pre-orders and payment
    ("GET", "/market-days/{day_id}/pre-order"): ANYONE,
    ("GET", "/basket"): ANYONE,
    ("POST", "/basket"): ANYONE,
    ("POST", "/basket/checkout"): ANYONE,
    ("GET", "/orders/{token}"): ANYONE,  # the unguessable token is the buyer's key
    ("GET", "/orders/{token}/paid"): ANYONE,
    ("GET", "/orders/{token}/unpaid"): ANYONE,
    ("POST", "/orders/{token}/cancel"): ANYONE,
    ("GET", "/orders/{token}/calendar.ics"): ANYONE,
    ("GET", "/confirm-order/{token}"): ANYONE,  # the e-mailed link is the buyer's key
    ("POST", "/confirm-order/{token}"): ANYONE,
    ("GET", "/my/orders"): SIGNED_IN,  # a buyer's own orders (others: none)
    ("GET", "/staff/orders"): STAFF,
    ("POST", "/staff/orders/{order_id}/cancel"): SCHOOL_A_STAFF,
    ("POST", "/staff/orders/{order_id}/refund"): SCHOOL_A_STAFF,
    ("POST", "/staff/orders/{order_id}/release"): SCHOOL_A_STAFF,
    ("POST", "/stripe/webhook"): ANYONE,  # no CSRF; a Stripe signature instead
    # sharing: ideas, feedback, flags, pitch rounds, notifications
    ("GET", "/ideas"): SIGNED_IN,
    ("GET", "/ideas/new"): SIGNED_IN,
    ("POST", "/ideas/new"): SIGNED_IN,
    ("GET", "/ideas/{idea_id}"): SIGNED_IN,
    ("GET", "/ideas/{idea_id}/photo/{size}"): SIGNED_IN,
    ("POST", "/ideas/{idea_id}/comments"): SIGNED_IN,
    ("POST", "/ideas/{idea_id}/reactions"): SIGNED_IN,
    ("POST", "/ideas/{idea_id}/reactions/{kind}"): SIGNED_IN,
    ("GET", "/comments/{comment_id}"): SIGNED_IN,
    ("GET", "/feedback/{target_type}/{target_id}"): SIGNED_IN,
    ("POST", "/feedback/{target_type}/{target_id}"): SIGNED_IN,
    ("GET", "/flag/{kind_name}/{content_id}"): SIGNED_IN,
    ("POST", "/flag/{kind_name}/{content_id}"): SIGNED_IN,
    ("GET", "/notifications"): SIGNED_IN,
    ("GET", "/notifications/badge"): SIGNED_IN,
    ("GET", "/notifications/{notification_id}/open"): PUPIL_A_OWN,
    ("POST", "/notifications/read"): SIGNED_IN,
    # a pupil's own idea, comment and pitch feedback: changed or withdrawn by the author only
    ("GET", "/ideas/{idea_id}/edit"): PUPIL_A_OWN,
    ("POST", "/ideas/{idea_id}/edit"): PUPIL_A_OWN,
    ("POST", "/ideas/{idea_id}/withdraw"): PUPIL_A_OWN,
    ("GET", "/comments/{comment_id}/edit"): PUPIL_A_OWN,
    ("POST", "/comments/{comment_id}/edit"): PUPIL_A_OWN,
    ("POST", "/comments/{comment_id}/withdraw"): PUPIL_A_OWN,
    ("GET", "/pitch/feedback/{feedback_id}/edit"): PUPIL_A_OWN,
    ("POST", "/pitch/feedback/{feedback_id}/edit"): PUPIL_A_OWN,
    ("POST", "/pitch/feedback/{feedback_id}/withdraw"): PUPIL_A_OWN,
    ("GET", "/pitch"): SIGNED_IN,
    ("POST", "/pitch/rounds"): ADMIN,
    ("GET", "/pitch/rounds/{round_id}"): SIGNED_IN,
    ("POST", "/pitch/rounds/{round_id}/entries"): SIGNED_IN,
    ("GET", "/pitch/entries/{entry_id}"): SIGNED_IN,
    ("POST", "/pitch/entries/{entry_id}/feedback"): SIGNED_IN,
    ("GET", "/pitch/feedback/{feedback_id}"): SIGNED_IN,
    ("POST", "/pitch/feedback/{feedback_id}/changed"): TEAM_A,
    # co-operative trust
    ("GET", "/coop"): ANYONE,
    ("GET", "/coop/apply"): ANYONE,
    ("POST", "/coop/apply"): ANYONE,
    ("GET", "/coop/votes/{ballot_id}"): SIGNED_IN,
    ("POST", "/coop/votes/{ballot_id}"): SIGNED_IN,
    ("GET", "/admin/coop"): ADMIN,
    ("POST", "/admin/coop/groups/{group_id}/{decision}"): ADMIN,
    ("POST", "/admin/coop/contacts/{group_id}/link"): ADMIN,
    ("GET", "/admin/coop/ballots"): ADMIN,
    ("POST", "/admin/coop/ballots"): ADMIN,
    ("POST", "/admin/coop/ballots/{ballot_id}/close"): ADMIN,
    # the one-time set-password link of a group's contact (a wrong token: 400 with a reason)
    ("GET", "/coop/welcome/{token}"): ANYONE,
    ("POST", "/coop/welcome/{token}"): ANYONE,
    # the members' forum (every signed-in account is a co-op member; threads are the
    # cluster's, like ideas: tests/forum/test_forum.py)
    ("GET", "/forum"): SIGNED_IN,
    ("GET", "/forum/new"): SIGNED_IN,
    ("POST", "/forum/new"): SIGNED_IN,
    ("GET", "/forum/{thread_id}"): SIGNED_IN,
    ("POST", "/forum/{thread_id}/replies"): SIGNED_IN,
    ("GET", "/forum/posts/{post_id}"): SIGNED_IN,
    # the cluster calendar (events belong to the cluster, like market days)
    ("GET", "/events"): ANYONE,
    ("GET", "/events.ics"): ANYONE,
    ("GET", "/events/{event_id}"): ANYONE,  # a public event; private ones: signed-in cluster
    # any signed-in user reaches the form; only a pupil or teacher of the chosen work's team
    # gets it signed up (the work decides: tests/calendar/test_events.py)
    ("POST", "/events/{event_id}/signups"): SIGNED_IN,
    ("POST", "/events/{event_id}/signups/{signup_id}/withdraw"): SCHOOL_A_STAFF,
    ("GET", "/admin/events"): ADMIN,
    ("POST", "/admin/events"): ADMIN,
    ("GET", "/admin/events/{event_id}"): ADMIN,
    ("POST", "/admin/events/{event_id}"): ADMIN,
    ("POST", "/admin/events/{event_id}/remove"): ADMIN,
}

# Mirror images: a school-A role asking for school B's row is answered like this role was.
MIRROR = {
    "pupil_a": "pupil_b",
    "teacher_a": "teacher_b",
    "pupil_b": "pupil_a",
    "teacher_b": "teacher_a",
}
