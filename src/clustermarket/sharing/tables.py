"""Sharing across the cluster: ideas, comments, reactions, pitch rounds, flags, notifications.

Ideas, comments and pitch feedback are moderated like products (status, feedback,
`is_public`), but by a teacher of the author's school, stored in `school`. Like products,
they keep the approved words in `published_*` columns: the author may edit their words after
approval, and the edit waits for the teacher while everyone else keeps reading the approved
copy (moderation/content.py: `published_columns`). `is_public` means "visible to signed-in
cluster users": none of this is ever on the public site."""

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.market.tables import MarketDay
from clustermarket.projects.tables import Project
from clustermarket.schools.tables import School
from clustermarket.teams.tables import Team


class IdeaTag(str, Enum):
    enterprise = "enterprise"
    eco = "eco"
    general = "general"


class Idea(Table):
    author = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    school = ForeignKey(
        references=School, null=True, on_delete=OnDelete.restrict, index=True
    )  # author's
    tag = Varchar(length=12, choices=IdeaTag, index=True)
    title = Varchar(length=120)
    body = Text(default="")
    published_title = Varchar(length=120, default="")
    published_body = Text(default="")
    status = Varchar(length=10, choices=ContentStatus, default=ContentStatus.pending, index=True)
    feedback = Text(default="")
    is_public = Boolean(default=False, index=True)
    created_at = Timestamptz(index=True)  # the board's order
    # Live comments on the idea, kept by triggers on `comment` (migration
    # sharing_2026_11_26t10_10_00_000000): "most discussed" orders by it through an index.
    public_comments = Integer(default=0)
    submitted_at = Timestamptz(null=True, default=None)
    # An optional photo, cleaned by media/images.py; served only to who may see the idea.
    photo_name = Varchar(length=64, default="")
    thumb_name = Varchar(length=64, default="")
    photo_alt = Varchar(length=200, default="")


class IdeaLiveCount(Table):
    """How many live ideas each school has (`school_key`), and each author of ideas with no
    school (`school_key` 0, `author_key` the author; 0 and 0: neither), kept by triggers on
    `idea` (migration sharing_2026_11_26t19_40_00_000000), so the board's unfiltered total
    is a sum of a cluster's few rows instead of a count of every live idea. The pair is
    unique."""

    school_key = Integer(default=0)
    author_key = Integer(default=0)
    ideas = Integer(default=0)


class CommentTarget(str, Enum):
    idea = "idea"
    product = "product"
    project = "project"


class Comment(Table):
    """A comment on an idea, or feedback on another school's product or project.

    `school` is the author's school (its teachers approve); `receiving_school` is the school
    of the content commented on (its teachers may hide what was said to their pupils)."""

    target_type = Varchar(length=10, choices=CommentTarget)
    target_id = Integer(index=True)
    author = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    school = ForeignKey(references=School, null=True, on_delete=OnDelete.restrict, index=True)
    receiving_school = ForeignKey(
        references=School, null=True, on_delete=OnDelete.set_null, index=True
    )
    body = Text()
    published_body = Text(default="")
    status = Varchar(length=10, choices=ContentStatus, default=ContentStatus.pending, index=True)
    feedback = Text(default="")
    is_public = Boolean(default=False, index=True)
    created_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)


class ReactionKind(str, Enum):
    like = "like"
    clever = "clever"
    helpful = "helpful"


class Reaction(Table):
    """One per user per kind on an idea (a unique index, made by the migration: Piccolo's
    Unique constraint cannot be added on SQLite); a second click takes it back."""

    idea = ForeignKey(references=Idea, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=10, choices=ReactionKind)


class PitchRound(Table):
    """Opened by the admin before a market day; feedback is taken until `closes_at`."""

    title = Varchar(length=120)
    market_day = ForeignKey(
        references=MarketDay, null=True, on_delete=OnDelete.set_null, index=True
    )
    closes_at = Timestamptz()
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()


class PitchEntry(Table):
    """A team puts a product or project up for feedback in a round."""

    round = ForeignKey(references=PitchRound, null=False, on_delete=OnDelete.cascade, index=True)
    team = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    product = ForeignKey(references=Product, null=True, on_delete=OnDelete.cascade, index=True)
    project = ForeignKey(references=Project, null=True, on_delete=OnDelete.cascade, index=True)
    question = Varchar(length=300, default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    created_at = Timestamptz()


class PitchFeedback(Table):
    """'Works well' and 'even better if' from a pupil of another school."""

    entry = ForeignKey(references=PitchEntry, null=False, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null, index=True)
    school = ForeignKey(references=School, null=True, on_delete=OnDelete.restrict, index=True)
    receiving_school = ForeignKey(
        references=School, null=True, on_delete=OnDelete.set_null, index=True
    )
    works_well = Text(default="")
    even_better_if = Text(default="")
    published_works_well = Text(default="")
    published_even_better_if = Text(default="")
    status = Varchar(length=10, choices=ContentStatus, default=ContentStatus.pending, index=True)
    feedback = Text(default="")
    is_public = Boolean(default=False, index=True)
    changed = Boolean(default=False)  # the team marks what it changed because of it
    created_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)


class Flag(Table):
    """A report of a post, comment or listing. One row per reporter per item: repeated
    flags of an item are one queue entry (a unique index, made by the migration); three
    reporters hide it until a teacher decides."""

    subject_type = Varchar(length=10)  # a moderation ContentKind name
    subject_id = Integer(index=True)
    reporter = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    reason = Text(default="")
    handled = Boolean(default=False, index=True)
    created_at = Timestamptz()


class Notification(Table):
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    text = Varchar(length=300)
    link = Varchar(length=200, default="")
    read = Boolean(default=False, index=True)
    created_at = Timestamptz()
