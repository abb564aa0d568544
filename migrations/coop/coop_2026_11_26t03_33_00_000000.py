"""Every yes/no ballot becomes a two-option ballot ("Yes", "No") with the same id, question,
closing time and votes; groups get their folded name; then the unique indexes, and the old
yes/no tables go.

Unique indexes by hand (Piccolo adds Unique constraints with ALTER TABLE, which SQLite cannot
do). An idea has at most one ballot: when two old ballots were about one idea, the later one
keeps its question and votes but no longer links to the idea. An older group whose folded
name repeats a pending or approved group's keeps no key (the admin still decides it)."""

import re
import unicodedata

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Timestamptz, Varchar
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T03:33:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "yes/no ballots become two-option ballots; unique names, votes, ideas"


# Frozen copies of the tables as they are at this migration.
class OldBallot(Table, tablename="yes_no_ballot", schema=None):
    idea = Integer(null=False)
    question = Varchar(length=200)
    closes_at = Timestamptz()
    created_by = Integer(null=True)
    created_at = Timestamptz()


class OldVote(Table, tablename="yes_no_vote", schema=None):
    ballot = Integer()
    member = Integer()
    choice = Varchar(length=4)
    created_at = Timestamptz()


class NewBallot(Table, tablename="ballot", schema=None):
    question = Varchar(length=200)
    idea = Integer(null=True)
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    closed_early = Boolean(default=False)
    created_by = Integer(null=True)
    created_at = Timestamptz()


class NewOption(Table, tablename="ballot_option", schema=None):
    ballot = Integer()
    label = Varchar(length=120)
    position = Integer()


class NewVote(Table, tablename="vote", schema=None):
    ballot = Integer()
    option = Integer()
    member = Integer()
    created_at = Timestamptz()


class Group(Table, tablename="community_group", schema=None):
    name = Varchar(length=120)
    name_key = Varchar(length=120, null=True)
    status = Varchar(length=10)


def name_key(name):  # the same folding as clustermarket.coop.groups.name_key
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", "", text)[:120]


async def copy_ballots():
    ideas_taken = set()
    for old in await OldBallot.select().order_by(OldBallot.id):
        idea = old["idea"] if old["idea"] not in ideas_taken else None
        ideas_taken.add(old["idea"])
        await NewBallot.insert(
            NewBallot(
                id=old["id"],
                question=old["question"],
                idea=idea,
                opens_at=old["created_at"],
                closes_at=old["closes_at"],
                closed_early=False,
                created_by=old["created_by"],
                created_at=old["created_at"],
            )
        )
        options = {}
        for position, (choice, label) in enumerate((("yes", "Yes"), ("no", "No"))):
            [row] = await NewOption.insert(
                NewOption(ballot=old["id"], label=label, position=position)
            ).returning(NewOption.id)
            options[choice] = row["id"]
        votes = await OldVote.select().where(OldVote.ballot == old["id"]).order_by(OldVote.id)
        if votes:
            await NewVote.insert(
                *[
                    NewVote(
                        ballot=old["id"],
                        option=options[vote["choice"]],
                        member=vote["member"],
                        created_at=vote["created_at"],
                    )
                    for vote in votes
                    if vote["choice"] in options
                ]
            )
    engine = engine_finder()
    if engine.engine_type == "postgres" and await NewBallot.count():
        await engine.run_ddl(
            "SELECT setval(pg_get_serial_sequence('ballot', 'id'), (SELECT MAX(id) FROM ballot))"
        )


async def fold_group_names():
    taken = set()
    for group in await Group.select().order_by(Group.id):
        key = name_key(group["name"])
        if group["status"] != "declined":
            if key in taken:
                key = None
            taken.add(key)
        await Group.update({Group.name_key: key}).where(Group.id == group["id"])


async def add_unique_indexes():
    engine = engine_finder()
    for sql in (
        "CREATE UNIQUE INDEX vote_one_member_one_vote ON vote (ballot, member)",
        "CREATE UNIQUE INDEX ballot_one_per_idea ON ballot (idea)",
        "CREATE INDEX ballot_option_of_ballot ON ballot_option (ballot)",
        "CREATE UNIQUE INDEX community_group_one_name ON community_group (name_key) "
        "WHERE status <> 'declined'",
    ):
        await engine.run_ddl(sql)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)
    manager.add_raw(copy_ballots)
    manager.add_raw(fold_group_names)
    manager.add_raw(add_unique_indexes)
    # Dropped after the raw steps (Piccolo runs those first).
    manager.drop_table(class_name="YesNoVote", tablename="yes_no_vote")
    manager.drop_table(class_name="YesNoBallot", tablename="yes_no_ballot")
    return manager
