"""Ballots with options (issue 13): the yes/no tables step aside, keeping their rows.

The next migrations make the new `ballot`, `ballot_option` and `vote` tables, copy every
yes/no ballot into a two-option ballot ("Yes", "No") with its votes, then drop these."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T03:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "yes/no ballots step aside for ballots with options"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def drop_old_vote_index():  # its name is taken again by the new vote table
        await engine_finder().run_ddl("DROP INDEX IF EXISTS vote_one_member_one_vote")

    manager.add_raw(drop_old_vote_index)
    manager.rename_table(
        old_class_name="Vote",
        old_tablename="vote",
        new_class_name="YesNoVote",
        new_tablename="yes_no_vote",
    )
    manager.rename_table(
        old_class_name="Ballot",
        old_tablename="ballot",
        new_class_name="YesNoBallot",
        new_tablename="yes_no_ballot",
    )
    return manager
