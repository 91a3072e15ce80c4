"""The neighbourhood of an object or an entity, as its viewer may see it: what the graph
page draws.

Three kinds of edges, each read through the path that already serves it to this viewer:

- relationships and references: the objects whose newest visible version refers to an
  object (:func:`passerelle.objects.references.referring_ids`) and what the object itself
  refers to; a relationship is drawn as an edge between its two ends;
- correlations ("also seen in"): the correlation operation the REST API serves
  (``correlation.correlate``), group by group;
- entity links: the entity operation ``entity.show`` for an entity, and for an object
  the entities its correlation names (links the viewer may see), each shown by
  ``entity.show``.

Every object node is then described by :func:`passerelle.web.views.object_briefs` (its
type, name and TLP, all of a big graph's nodes in a few statements), which drops whatever
the viewer may not see: a node that could not be described is no node, and edges to it
are no edges. Only the nodes whose neighbours are read are described in full, by
:func:`passerelle.web.views.object_views`, a step's nodes at once. An object withheld
under H3 is a node with its type only, and nothing read from its content (its references,
its correlations). Counts of what is not shown ("N more") count only what the viewer may
see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple

from passerelle.core.context import Context
from passerelle.correlation import queries
from passerelle.errors import Forbidden, NotFound
from passerelle.objects.references import referring_ids
from passerelle.policy.workflow import require_worker
from passerelle.resolution import entities
from passerelle.web.views import Brief, ObjectView, object_briefs, object_views

NodeKind = Literal["object", "entity"]
MAX_DEPTH: Final = 3
# Nodes of one answer: the browser draws 5,000 with a cheap layout.
MAX_NODES: Final = 5000
# Nodes whose neighbours one answer reads (the others are expanded by a click).
MAX_EXPANDED: Final = 100
# Objects listed per correlation group.
PER_GROUP: Final = 200
SHOWN_LINKS: Final = ("auto", "accepted", "review")
ENTITY_KEY: Final = "entity:"


@dataclass(slots=True)
class Node:
    """One object or entity of the graph."""

    id: str
    kind: NodeKind
    type: str
    label: str = ""
    tlp: str = ""
    withheld: bool = False
    # What an object node's page shows, or its entity's (read once it is to be expanded).
    shown: ObjectView | entities.EntityView | None = field(default=None, repr=False)

    def as_data(self) -> dict[str, Any]:
        """Return what the browser is told of the node."""
        return {
            "id": self.id,
            "kind": self.kind,
            "type": self.type,
            "label": self.label,
            "tlp": self.tlp,
            "withheld": self.withheld,
        }


class Edge(NamedTuple):
    """One edge: a relationship, a reference, a correlation or an entity link (a tuple:
    edges sort by their ends, kind and label without a key function)."""

    source: str
    target: str
    kind: str
    label: str = ""


@dataclass
class Found:
    """The neighbours of one node, before they are described."""

    objects: set[str] = field(default_factory=set)
    entities: dict[str, Node] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    unlisted: int = 0


@dataclass
class Neighbourhood:
    """The graph around a root, as its viewer may see it."""

    root: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    expanded: list[str] = field(default_factory=list)
    more: int = 0

    def as_elements(self) -> dict[str, Any]:
        """Return the graph as Cytoscape.js elements, with what was left out."""
        nodes = [{"data": node.as_data()} for node in self.nodes.values()]
        nodes_in = self.nodes.keys()
        edges = [
            {
                "data": {
                    "id": f"{e.kind}:{e.source}:{e.target}:{e.label}",
                    "source": e.source,
                    "target": e.target,
                    "kind": e.kind,
                    "label": e.label,
                }
            }
            for e in sorted(self.edges)
            if e.source in nodes_in and e.target in nodes_in
        ]
        return {
            "root": self.root,
            "nodes": nodes,
            "edges": edges,
            "expanded": self.expanded,
            "more": self.more,
        }


def _object_node(view: ObjectView) -> Node:
    return Node(view.id, "object", view.type, view.name, view.tlp, view.withheld, view)


def _brief_node(brief: Brief) -> Node:
    return Node(brief.id, "object", brief.type, brief.name, brief.tlp, brief.withheld)


def _describe(ctx: Context, nodes: list[Node]) -> None:
    """Read in full, at once, the object nodes among these not yet read in full (a node
    the viewer may no longer see is read as nothing: no neighbours)."""
    wanted = [n.id for n in nodes if n.kind == "object" and n.shown is None]
    if not wanted:
        return
    views = {view.id: view for view in object_views(ctx, wanted)}
    for node in nodes:
        if node.id in views:
            node.shown = views[node.id]


def root_node(ctx: Context, kind: NodeKind, reference: str) -> Node:
    """Return the root of a graph (NotFound for one the viewer may not know of)."""
    require_worker(ctx.viewer)
    if kind == "entity":
        view = entities.show_entity(ctx, entities.EntityRef(entity_id=reference))
        return Node(view.id, "entity", view.kind, view.name, shown=view)
    views = object_views(ctx, [reference.strip()])
    if not views:
        raise NotFound(f"no object {reference.strip()[:120]!r}")
    return _object_node(views[0])


def _references(ctx: Context, view: ObjectView, found: Found) -> None:
    """Add the objects referring to this one, and those it refers to."""
    with ctx.database.read() as conn:
        referring = referring_ids(conn, ctx.viewer, view.id)
    for other in object_views(ctx, referring):
        ends = other.refers_to
        if other.type == "relationship" and not other.withheld and len(ends) == 2:
            kind = dict(other.properties).get("relationship_type", "")
            found.objects.update(ends)
            found.edges.add(Edge(ends[0], ends[1], "relationship", kind))
        else:
            found.objects.add(other.id)
            found.edges.add(Edge(other.id, view.id, "reference", other.type))
    for ref in [] if view.withheld else view.refers_to:
        found.objects.add(ref)
        found.edges.add(Edge(view.id, ref, "reference", view.type))


def _correlations(ctx: Context, view: ObjectView, found: Found) -> list[str]:
    """Add what correlates with this object through an observable; return the entities
    it is linked to (the correlation's entity keys: links the viewer may see)."""
    if view.withheld:
        return []
    try:
        correlation = queries.correlate(
            ctx, queries.CorrelateRequest(object_id=view.id, limit=PER_GROUP)
        )
    except (NotFound, Forbidden):
        return []
    for group in correlation.groups:
        if group.key.startswith(ENTITY_KEY):
            continue  # drawn as entity links
        for other in group.objects:
            found.objects.add(other.id)
            found.edges.add(Edge(view.id, other.id, "correlation", group.key))
        found.unlisted += group.count - len(group.objects)
    return [k.removeprefix(ENTITY_KEY) for k in correlation.keys if k.startswith(ENTITY_KEY)]


def _object_entities(ctx: Context, view: ObjectView, roots: list[str], found: Found) -> None:
    """Add the entities this object is linked to, as the viewer may know them."""
    for root in roots:
        try:
            entity = entities.show_entity(ctx, entities.EntityRef(entity_id=root))
        except NotFound:
            continue
        found.entities[entity.id] = Node(
            entity.id, "entity", entity.kind, entity.name, shown=entity
        )
        found.edges.add(Edge(view.id, entity.id, "entity", ""))


def _entity_objects(ctx: Context, node: Node, found: Found) -> None:
    """Add the objects linked to this entity (and proposed for it, in one's own queue)."""
    view = node.shown
    if not isinstance(view, entities.EntityView):
        view = entities.show_entity(ctx, entities.EntityRef(entity_id=node.id))
    for link in view.links:
        if link.status in SHOWN_LINKS:
            found.objects.add(link.object_id)
            kind = "candidate" if link.status == "review" else "entity"
            found.edges.add(Edge(link.object_id, view.id, kind, f"{link.score:.2f}"))


def neighbours(ctx: Context, node: Node) -> Found:
    """Return the neighbours of one node (not yet described)."""
    found = Found()
    view = node.shown
    if node.kind == "entity":
        _entity_objects(ctx, node, found)
    elif isinstance(view, ObjectView):
        _references(ctx, view, found)
        _object_entities(ctx, view, _correlations(ctx, view, found), found)
    found.objects.discard(node.id)
    return found


def neighbourhood(ctx: Context, root: Node, depth: int) -> Neighbourhood:
    """Return the graph of what lies within ``depth`` steps of the root."""
    graph = Neighbourhood(root.id, {root.id: root})
    frontier = [root.id]
    left_out: set[str] = set()
    for _step in range(min(depth, MAX_DEPTH)):
        reached: list[str] = []
        frontier = frontier[: max(0, MAX_EXPANDED - len(graph.expanded))]
        _describe(ctx, [graph.nodes[node_id] for node_id in frontier])
        founds = [neighbours(ctx, graph.nodes[node_id]) for node_id in frontier]
        graph.expanded += frontier
        # The objects a step reaches, described at once (then added node by node).
        reachable = set().union(*(found.objects for found in founds)) - graph.nodes.keys()
        briefs = {b.id: b for b in object_briefs(ctx, sorted(reachable))}
        for found in founds:
            graph.more += found.unlisted
            graph.edges |= found.edges
            new = sorted(found.objects - graph.nodes.keys())
            candidates = [_brief_node(briefs[i]) for i in new if i in briefs]
            candidates += [n for i, n in found.entities.items() if i not in graph.nodes]
            for candidate in candidates:
                if len(graph.nodes) >= MAX_NODES:
                    left_out.add(candidate.id)
                    continue
                graph.nodes[candidate.id] = candidate
                reached.append(candidate.id)
        frontier = reached
    graph.more += len(left_out)
    return graph
