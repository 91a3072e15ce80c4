"""What vulture cannot see used: names read by a framework, a driver or a serialiser.

Reviewed by hand; each entry says who uses it. Routes, CLI commands and exception
handlers are left out by their decorators (``ignore_decorators`` in pyproject.toml).
Vulture only parses this file, it is never imported.
"""

from sqlite3 import Connection
from types import FunctionType
from typing import Any

from starlette.responses import Response

from passerelle.admin import operations as admin_operations
from passerelle.app import app_from_env
from passerelle.correlation.queries import Correlation
from passerelle.exchange.partners import Figures, Partner
from passerelle.exchange.rfis.models import RfiDetail, RfiFigures, RfiRow
from passerelle.exchange.tips.effects import Effect
from passerelle.exchange.tips.models import Overdue, Receipt, Tip
from passerelle.exchange.watches.models import Hit
from passerelle.notify import operations as notify_operations
from passerelle.policy.actions import require_permitted
from passerelle.resolution.entities import ResolvedCandidate
from passerelle.resolution.views import LinkView, NameView
from passerelle.stix.markings import HandlingCode
from passerelle.stix.validation.definitions import _Definition
from passerelle.store.chunks import _OneOf, _Strings
from passerelle.store.search_tables import POSTGRESQL_INDEX, SQLITE_INDEX
from passerelle.web.inbox import Inbox
from passerelle.web.views import ObjectView

# Pydantic fields of REST answers: FastAPI serialises every field, no code reads them.
Figures.acknowledged_pct  # GET /api/partners
Figures.median_to_acknowledge  # GET /api/partners
Figures.median_to_acknowledge_seconds  # GET /api/partners
Figures.with_outcome_pct  # GET /api/partners
Figures.median_to_outcome  # GET /api/partners
Figures.median_to_outcome_seconds  # GET /api/partners
Figures.rfis_asked  # GET /api/partners
Figures.rfis_answered  # GET /api/partners
Figures.rfis_refused  # GET /api/partners
Figures.rfis_overdue  # GET /api/partners
Figures.watch_hits_reported  # GET /api/partners
Partner.to_them  # GET /api/partners
Partner.from_them  # GET /api/partners
RfiRow.time_left  # GET /api/rfis
RfiRow.late_by  # GET /api/rfis
RfiDetail.from_user  # GET /api/rfis/{rfi_id}
RfiFigures.closed_late  # rfi_figures' count, tested; partner figures do not show it (yet)
Receipt.organisation  # GET /api/tips/{tip_id}
Receipt.ack_overdue  # GET /api/tips/{tip_id}
Receipt.outcome_overdue  # GET /api/tips/{tip_id}
Tip.shared_via  # GET /api/tips/{tip_id}, tip.html
Tip.object_name  # GET /api/tips/inbox, sent, {tip_id}
Overdue.object_name  # GET /api/tips/overdue
Overdue.late_by  # GET /api/tips/overdue
Hit.watch_label  # GET /api/watch-hits
Correlation.object_name  # GET /api/correlations/{object_id}
ResolvedCandidate.best_name_source  # GET /api/resolve
NameView.source_detail  # GET /api/entities/{entity_id}
LinkView.object_name  # GET /api/entities/{entity_id}, /api/review
LinkView.entity_name  # GET /api/entities/{entity_id}, /api/review

# Read by a framework, a driver or the interpreter.
FunctionType.__signature__  # FastAPI reads a built endpoint's parameters from it
FunctionType.__qualname__  # the built endpoint's name, as tracebacks and FastAPI show it
Response.media_type  # Starlette sets the content type of TaxiiResponse from it
Response.render  # Starlette serialises TaxiiResponse's content through it
Connection.isolation_level  # the sqlite3 driver's autocommit, set on each connection
Effect.__call__  # the Protocol of the tip effects, which are called, never named
HandlingCode.H0  # looked up by name when a handling_codes list is parsed
_Definition.section  # the spec section each STIX definition cites, for its reader
notify_operations.SUBSCRIBE  # the registry finds it by its name in core/catalogue.py
notify_operations.UNSUBSCRIBE  # the registry finds it by its name in core/catalogue.py
admin_operations.ORG_ADD  # the registry finds it by its name in core/catalogue.py
admin_operations.ORG_SET  # the registry finds it by its name in core/catalogue.py
admin_operations.CHANNEL_ADD  # the registry finds it by its name in core/catalogue.py
admin_operations.CHANNEL_MEMBER  # the registry finds it by its name in core/catalogue.py
admin_operations.USER_PASSWORD  # the registry finds it by its name in core/catalogue.py
admin_operations.USER_LINK  # the registry finds it by its name in core/catalogue.py
app_from_env  # uvicorn imports it as passerelle.app:app_from_env in each serve worker

# Alembic reads these from each module of store/migrations/versions.
revision_module: Any = None
revision_module.revision  # this revision's id
revision_module.down_revision  # the revision it follows
revision_module.branch_labels  # (none) alembic asks for them
revision_module.depends_on  # (none) alembic asks for them
revision_module.downgrade  # `alembic downgrade`

# A public gate with no caller in the node yet (README: "PAP markings gate external
# look-ups, enrichment and blocking"); kept for the features that act on objects.
require_permitted  # policy.actions: tested in tests/policy/test_actions.py

# Read by the web interface's Jinja2 templates (passerelle/web/templates), not by Python.
Inbox.counters  # counters.html
Inbox.by_state  # counters.html
Inbox.drafts  # inbox.html
ObjectView.refers_to  # tip.html

# SQLAlchemy's type and statement machinery (store/chunks.py, one list as one parameter).
_Strings.impl  # TypeDecorator: the type it decorates
_Strings.cache_ok  # TypeDecorator: safe in the statement cache
_Strings.process_bind_param  # TypeDecorator: the value as bound
_OneOf.inherit_cache  # ClauseElement: cached by its traversal attributes

# The search index's backend objects, named for tests/store/test_migrations.py (the
# comparison of the declared schema with the migrated one leaves them out, then checks them).
SQLITE_INDEX  # store/search_tables.py
POSTGRESQL_INDEX  # store/search_tables.py
