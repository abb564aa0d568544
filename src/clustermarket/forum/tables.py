"""The members' forum: threads (a title and an opening post) and their replies.

Every post is moderated like the ideas board (status, feedback, `is_public`): a pupil's post
by a teacher of the pupil's school, stored in `school`; an adult's post (staff, parents,
community groups) by the cluster admin, so its `school` is empty. A thread is visible when
its opening post is. `is_public` means "visible to the co-op's members": the forum is never
on the public site."""

from piccolo.columns import Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.schools.tables import School


class ForumThread(Table, tablename="forum_thread"):
    title = Varchar(length=120)
    started_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()


class ForumPost(Table, tablename="forum_post"):
    thread = ForeignKey(references=ForumThread, null=False, on_delete=OnDelete.cascade, index=True)
    opens_thread = Boolean(default=False)  # the thread's first post carries its title
    author = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    # The school whose teachers moderate it (a pupil's); empty: the admin moderates it.
    school = ForeignKey(references=School, null=True, on_delete=OnDelete.restrict, index=True)
    body = Text()
    status = Varchar(length=10, choices=ContentStatus, default=ContentStatus.pending, index=True)
    feedback = Text(default="")
    is_public = Boolean(default=False, index=True)
    created_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)
