"""The hall's event store: events, command results, snapshots, run markers.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hall_id", sa.String(32), nullable=False),
        sa.Column("business_day", sa.String(10), nullable=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("command_id", sa.String(80), nullable=True),
    )
    op.create_index("ix_events_hall_seq", "events", ["hall_id", "seq"])
    op.create_table(
        "commands",
        sa.Column("hall_id", sa.String(32), primary_key=True),
        sa.Column("command_id", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(60), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("hall_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("hall_id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("meta", "snapshots", "commands", "events"):
        op.drop_table(name)
