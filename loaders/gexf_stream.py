"""GEXF written node by node and edge by edge, in constant memory.

networkx's ``write_gexf`` builds the XML tree of the whole graph before it
writes a byte: at 300k nodes / 3M edges that tree took the server's memory
past 5 GB during a download. This module drives networkx's own
:class:`~networkx.readwrite.gexf.GEXFWriter` over slices of the graph
(:data:`SLICE` nodes or edges at a time), serialises each slice's elements
into a spool file as soon as they are built and drops them, and at the end
writes the head (which names every attribute seen, so it can only be known
last), the spooled elements and the closing tags. The file is byte for byte
what ``nx.write_gexf`` writes for the same graph (``tests/test_gexf_stream.py``).

    >>> import io, networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_edge("a", "b", kind="x")
    0
    >>> out = io.BytesIO(); write(Slices.of(g), out)
    >>> mine = out.getvalue(); theirs = io.BytesIO(); nx.write_gexf(g, theirs)
    >>> mine == theirs.getvalue()
    True
"""

from __future__ import annotations

import io
import itertools
import shutil
import tempfile
from typing import Any, BinaryIO, Iterable, Iterator
from xml.etree.ElementTree import Element, tostring

from networkx.readwrite.gexf import GEXFWriter

__all__ = ["SLICE", "Slices", "write"]

#: Nodes or edges built into XML elements at a time.
SLICE = 2000

#: Stands in for the nodes and the edges in the head written around them.
_MARK = "partnernetz-gexf-stream-mark"
#: A node or edge element starts a line at this depth (gexf > graph > nodes > node).
_CLOSE_INDENT = "\n" + "  " * 2


class Slices:
    """What the writer reads of a graph: ``nodes()`` yields ``(id, data)``,
    ``edges()`` yields ``(u, v, key, data)`` of a directed multigraph, with
    only the attributes to be written (scalars; ``label`` present); each is
    a fresh iteration each time it is called."""

    def __init__(self, nodes, edges, edge_ids=None) -> None:
        self._nodes = nodes
        self._edges = edges
        self._edge_ids = edge_ids

    @classmethod
    def of(cls, g) -> "Slices":
        """A networkx multigraph's own nodes and edges (for the doctest and tests)."""
        return cls(lambda: g.nodes(data=True), lambda: g.edges(keys=True, data=True))

    def nodes(self) -> Iterable[tuple[Any, dict[str, Any]]]:
        return self._nodes()

    def edges(self) -> Iterable[tuple[Any, Any, Any, dict[str, Any]]]:
        return self._edges()

    def edge_ids(self) -> set[str]:
        """The ids edges carry as an ``id`` attribute (``edge_ids``, when given,
        yields them without building every edge's attributes)."""
        if self._edge_ids is not None:
            return {str(i) for i in self._edge_ids()}
        return {str(d["id"]) for _, _, _, d in self.edges() if d.get("id") is not None}


class _Part:
    """A slice of nodes or of edges, shaped as the writer's ``add_nodes`` /
    ``add_edges`` read a graph. ``own_ids`` maps the nodes that carry an
    ``id`` attribute to it (the writer names edge ends by it)."""

    graph: dict[str, Any] = {}

    def __init__(self, nodes=(), edges=(), own_ids: dict[Any, Any] | None = None) -> None:
        self._nodes = list(nodes)
        self._edges = list(edges)
        self._own_ids = own_ids or {}
        self.nodes = _NodeAccess(self._nodes, self._own_ids)

    def is_multigraph(self) -> bool:
        return True

    def is_directed(self) -> bool:
        return True

    def edges(self, data: bool = False, keys: bool = False):
        return iter(self._edges)


class _NodeAccess:
    """``G.nodes(data=True)`` and ``G.nodes[n].get("id", n)`` of a :class:`_Part`."""

    def __init__(self, nodes, own_ids) -> None:
        self._nodes = nodes
        self._own_ids = own_ids

    def __call__(self, data: bool = False):
        return iter(self._nodes)

    def __getitem__(self, node) -> dict[str, Any]:
        return {"id": self._own_ids[node]} if node in self._own_ids else {}


def write(graph: Slices, out: BinaryIO, *, spool_dir: str | None = None) -> None:
    """Write ``graph`` as GEXF 1.2 (UTF-8, indented as networkx indents) to ``out``."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    # ids that edges carry themselves: generated ids step over them
    explicit_edge_ids = graph.edge_ids()
    writer.all_edge_ids = set(explicit_edge_ids)
    shell = Element("graph", defaultedgetype="directed", mode="static", name="")
    writer.graph_element = shell
    own_ids: dict[Any, Any] = {}
    with tempfile.TemporaryFile(dir=spool_dir, prefix="partnernetz-gexf-") as spool:
        node_count = _spool(spool, _node_parts(graph.nodes(), own_ids), writer.add_nodes, writer, shell,
                            explicit_edge_ids=None)
        nodes_end = spool.tell()
        edge_count = _spool(spool, (_Part(edges=part, own_ids=own_ids) for part in _batched(graph.edges())),
                            writer.add_edges, writer, shell, explicit_edge_ids=explicit_edge_ids)
        head, between, tail = _frame(writer, shell)
        out.write(head)
        spool.seek(0)
        _section(out, spool, "nodes", node_count, nodes_end)
        out.write(between)
        _section(out, spool, "edges", edge_count, None)
        out.write(tail)


def _node_parts(nodes, own_ids: dict[Any, Any]) -> Iterator[_Part]:
    for part in _batched(nodes):
        for node, data in part:
            if data.get("id") is not None:
                own_ids[node] = data["id"]
        yield _Part(nodes=part)


def _spool(spool: BinaryIO, parts: Iterable[_Part], add, writer: GEXFWriter, shell: Element,
           *, explicit_edge_ids: set[str] | None) -> int:
    """Build each part's elements with the writer, write them to ``spool``
    one per line at the item depth, drop them; the count written."""
    count = 0
    for part in parts:
        add(part, shell)
        built = shell[-1]
        shell.remove(built)
        if len(built):
            # indented as networkx indents it in the document; the part between
            # "<nodes>" and the last item's end is this slice's items, one a line
            writer.indent(built, 2)
            built.tail = None
            text = tostring(built, encoding="unicode")
            spool.write(text[len(built.tag) + 2:-len(_CLOSE_INDENT) - len(built.tag) - 3].encode("utf-8"))
            count += len(built)
        if explicit_edge_ids is not None:
            # generated edge ids only grow: they need checking against the explicit ones only
            writer.all_edge_ids = set(explicit_edge_ids)
    return count


def _frame(writer: GEXFWriter, shell: Element) -> tuple[bytes, bytes, bytes]:
    """The document around the nodes and the edges, as networkx writes it:
    the declaration, ``<gexf>`` with its meta, ``<graph>`` with the attribute
    declarations gathered while writing; split where the nodes and the edges go."""
    for name in ("nodes", "edges"):
        placeholder = Element(name)
        placeholder.text = _MARK
        shell.append(placeholder)
    writer.xml.append(shell)
    document = io.BytesIO()
    writer.write(document)
    head, rest = document.getvalue().split(b"<nodes>" + _MARK.encode() + b"</nodes>")
    between, tail = rest.split(b"<edges>" + _MARK.encode() + b"</edges>")
    return head, between, tail


def _section(out: BinaryIO, spool: BinaryIO, name: str, count: int, end: int | None) -> None:
    """``<name>`` with the spooled elements up to byte ``end`` (or the end)."""
    if count == 0:
        out.write(f"<{name} />".encode())
        return
    out.write(f"<{name}>".encode())
    if end is None:
        shutil.copyfileobj(spool, out, 1 << 20)
    else:
        left = end - spool.tell()
        while left > 0:
            block = spool.read(min(left, 1 << 20))
            out.write(block)
            left -= len(block)
    out.write(f"{_CLOSE_INDENT}</{name}>".encode())


def _batched(items: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    iterator = iter(items)
    while part := tuple(itertools.islice(iterator, SLICE)):
        yield part
