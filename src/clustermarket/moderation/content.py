"""The kinds of moderated content, and the one rule for what the public may see.

Every kind has a working copy (what the team or the author edits) and a published copy (what
everyone else sees): approval copies `published_columns` across, so an edit after approval
waits for the teacher while the last approved words stay up. Every public query filters
with `public_where()` of its kind, nowhere else; `as_seen_by()` picks the words a viewer of
a sharing kind reads. Ideas, comments and pitch feedback (the sharing kinds) are edited by
their author only, and are seen by signed-in cluster users only.

`school` names the school whose teachers moderate an item: the team's school for products and
projects, the author's school for the sharing kinds. `receiving_school`, where set, is the
school whose pupils the item was said to: its teachers may hide it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Combinable
from piccolo.table import Table

from clustermarket.catalogue.tables import Product
from clustermarket.forum.tables import ForumPost
from clustermarket.projects.tables import Project
from clustermarket.sharing.tables import Comment, Idea, PitchFeedback


@dataclass(frozen=True)
class ContentKind:
    name: str
    table: type[Table]
    title: Column
    published_title: Column
    # working column → published column; approval copies each across
    published_columns: dict[Column, Column]
    # the pupil-written text the word filter reads, with the field's name for messages
    checked_text: dict[str, Column]
    # `public_where(via)`: the condition on the table itself, or through a foreign key to it
    # (e.g. `PRODUCT.public_where(StallStock.product)`).
    public_where: Callable[..., Combinable]
    url: Callable[[int], str]
    school: Column
    author: Column
    # the team that edits it (products, projects); None: not edited after sending
    team_column: Column | None = None
    receiving_school: Column | None = None

    @property
    def team(self) -> Column:
        assert self.team_column is not None, f"{self.name} has no team"
        return self.team_column

    @property
    def editable(self) -> bool:
        return self.team_column is not None

    @property
    def status(self) -> Column:
        return self.table.status  # type: ignore[attr-defined]

    def in_cluster(self, cluster_id: int | None) -> Combinable:
        """This kind's items of one cluster (issue 15); see `written_in`."""
        return written_in(self.school, self.author, cluster_id)

    def row_in_cluster(self, cluster_id: int | None) -> Combinable:
        """The same rule checked on each row (its school's cluster, its author's), for a
        condition that already picks a few rows (one item, the pending, the flagged) from an
        index: `in_cluster`'s lists of the cluster's ids cost as much as the cluster has
        items (the admin's queue at 10,000 products: 50 ms on SQLite, 35 ms on PostgreSQL,
        against 6 and 9 for the demo's). None: every cluster, as `written_in`."""
        if cluster_id is None:
            return written_in(self.school, self.author, None)
        return (self.school.cluster == cluster_id) | (  # type: ignore[attr-defined]
            self.author.cluster == cluster_id  # type: ignore[attr-defined]
        )


def written_in(school: Column, author: Column, cluster_id: int | None) -> Combinable:
    """Items of one cluster (issue 15): through the school that moderates them, or, for an
    adult's item (no school), its author's account (every account is in one cluster).
    `cluster_id` comes from the request (the signed-in user's, which is the request's),
    never from a form. None (the nightly job's stand-in) means every cluster."""
    if cluster_id is None:
        return author.is_null() | author.is_not_null()
    # The item's own foreign keys in the cluster's small lists: its school (or its team, for
    # a school reached through the team) among the cluster's, its author among the
    # cluster's accounts. Each list is read once from the cluster through an index, and every
    # item is then one lookup in it. A join filtering on the school's cluster made PostgreSQL
    # join every row of the installation (300 clusters: 12 ms an ideas board); lists of the
    # item table's own ids read the item table twice (the admin's Live tab at 20,000 items:
    # 80 ms).
    return _key_in_cluster(school, cluster_id) | _key_in_cluster(author, cluster_id)


def _key_in_cluster(column: Column, cluster_id: int) -> Combinable:
    """`column` (a foreign key to a table with a `cluster`, or reached through one more
    foreign key, as `Product.team.school`) among that table's rows of the cluster."""
    chain = column._meta.call_chain
    if not chain:
        target = column._foreign_key_meta.resolved_references  # type: ignore[attr-defined]
        ids = target.select(target._meta.primary_key).where(target.cluster == cluster_id)
        return column.is_in(ids)
    assert len(chain) == 1, f"{column} is too far from its table"
    through = chain[0]  # e.g. Product.team
    own = through._meta.table._meta.get_column_by_name(through._meta.name)
    middle = through._foreign_key_meta.resolved_references  # e.g. Team
    last = middle._meta.get_column_by_name(column._meta.name)  # e.g. Team.school
    ids = middle.select(middle._meta.primary_key).where(_key_in_cluster(last, cluster_id))
    return own.is_in(ids)


PRODUCT = ContentKind(
    name="product",
    table=Product,
    title=Product.name,
    published_title=Product.published_name,
    published_columns={
        Product.name: Product.published_name,
        Product.description: Product.published_description,
        Product.price_pence: Product.published_price_pence,
    },
    checked_text={"name": Product.name, "description": Product.description},
    public_where=lambda via=Product: (via.is_public == True) & (via.active == True),
    url=lambda pk: f"/products/{pk}",
    school=Product.team.school,
    author=Product.created_by,
    team_column=Product.team,
)

PROJECT = ContentKind(
    name="project",
    table=Project,
    title=Project.title,
    published_title=Project.published_title,
    published_columns={
        Project.title: Project.published_title,
        Project.summary: Project.published_summary,
        Project.body: Project.published_body,
    },
    checked_text={"title": Project.title, "summary": Project.summary, "story": Project.body},
    public_where=lambda via=Project: via.is_public == True,
    url=lambda pk: f"/projects/{pk}",
    school=Project.team.school,
    author=Project.created_by,
    team_column=Project.team,
)

IDEA = ContentKind(
    name="idea",
    table=Idea,
    title=Idea.title,
    published_title=Idea.published_title,
    published_columns={Idea.title: Idea.published_title, Idea.body: Idea.published_body},
    checked_text={"title": Idea.title, "idea": Idea.body, "photo description": Idea.photo_alt},
    public_where=lambda via=Idea: via.is_public == True,
    url=lambda pk: f"/ideas/{pk}",
    school=Idea.school,
    author=Idea.author,
)

COMMENT = ContentKind(
    name="comment",
    table=Comment,
    title=Comment.body,
    published_title=Comment.published_body,
    published_columns={Comment.body: Comment.published_body},
    checked_text={"comment": Comment.body},
    public_where=lambda via=Comment: via.is_public == True,
    url=lambda pk: f"/comments/{pk}",
    school=Comment.school,
    author=Comment.author,
    receiving_school=Comment.receiving_school,
)

FEEDBACK = ContentKind(
    name="feedback",
    table=PitchFeedback,
    title=PitchFeedback.works_well,
    published_title=PitchFeedback.published_works_well,
    published_columns={
        PitchFeedback.works_well: PitchFeedback.published_works_well,
        PitchFeedback.even_better_if: PitchFeedback.published_even_better_if,
    },
    checked_text={
        "works well": PitchFeedback.works_well,
        "even better if": PitchFeedback.even_better_if,
    },
    public_where=lambda via=PitchFeedback: via.is_public == True,
    url=lambda pk: f"/pitch/feedback/{pk}",
    school=PitchFeedback.school,
    author=PitchFeedback.author,
    receiving_school=PitchFeedback.receiving_school,
)

# A members' forum post: `school` is a pupil author's school; an adult's post has none, so
# only the admin moderates it (forum/services.py).
FORUM_POST = ContentKind(
    name="forum",
    table=ForumPost,
    title=ForumPost.body,
    published_title=ForumPost.body,
    published_columns={},
    checked_text={"post": ForumPost.body},
    public_where=lambda via=ForumPost: via.is_public == True,
    url=lambda pk: f"/forum/posts/{pk}",
    school=ForumPost.school,
    author=ForumPost.author,
)

KINDS: dict[str, ContentKind] = {
    k.name: k for k in (PRODUCT, PROJECT, IDEA, COMMENT, FEEDBACK, FORUM_POST)
}
SHARING_KINDS = (IDEA, COMMENT, FEEDBACK)


def kind_named(name: str) -> ContentKind:
    from clustermarket.accounts.services import NotFound

    try:
        return KINDS[name]
    except KeyError:
        raise NotFound() from None


def published_values(kind: ContentKind, row: dict[str, Any]) -> dict[Column, Any]:
    """The update that makes the published copy equal the working copy `row`."""
    return {
        published: row[working._meta.name] for working, published in kind.published_columns.items()
    }


def as_seen_by(kind: ContentKind, rows: list[dict[str, Any]], viewer_id: int) -> None:
    """The words each viewer reads, in place: the author their own latest words (with its
    status); everybody else the approved copy, also while an edit waits for the teacher.
    The rows hold the kind's working and published columns and its author."""
    author = kind.author._meta.name
    for row in rows:
        mine = row[author] == viewer_id
        # the author's edit of approved words waits (or was sent back): theirs to know
        row["edit_waiting"] = mine and row["is_public"] and row["status"] != "approved"
        if not mine:
            for working, published in kind.published_columns.items():
                row[working._meta.name] = row[published._meta.name]
