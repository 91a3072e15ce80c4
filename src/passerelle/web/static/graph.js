// The graph page: draws the neighbourhood the node sends (/graph/data) with the vendored
// Cytoscape.js; a click on a node (or its choice in the list, by keyboard) fetches its
// neighbours, a second one hides what that first one added.
//
// Big graphs (more than BIG nodes) stay responsive at 5,000 nodes. What costs is drawing
// and styling elements in a software-rendered canvas (seconds for 10,000), and Cytoscape's
// work per edge grows with the edges of its ends (a star of 5,000 edges is quadratic). So
// a big graph's nodes are added at once with their places on a spiral computed here (no
// layout algorithm, no bounding box: the viewport is set from the spiral's known radius);
// labels are drawn only once zoomed in far enough to read them; and edges are drawn only
// for the node chosen and, zoomed in that far, for the nodes in view. Every edge is known
// (and counted) all the same.
(function () {
  "use strict";
  var BIG = 300;
  // Zoom from which a big graph's labels and edges in view are drawn.
  var CLOSE = 0.9;
  var SPACING = 40;
  var GOLDEN = Math.PI * (3 - Math.sqrt(5));
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") {
    return;
  }
  var status = document.getElementById("graph-status");
  var list = document.getElementById("graph-node");
  var root = box.dataset.root;
  var addedBy = {};
  var depth = {};
  var edges = {};  // every edge known, drawn or not: id -> data
  var more = 0;
  var mode = {big: false, close: true};
  var viewed = null;

  // Zoomed out, a big graph's nodes get no text property at all: Cytoscape's cost of
  // styling an element grows with the properties its style sets.
  function stylesheet(big, close) {
    var node = {"background-color": "#2f5f8a", "width": 18, "height": 18};
    var edge = {"width": 1.5, "line-color": "#8c8c8c", "curve-style": big ? "haystack" : "straight"};
    if (close) {
      Object.assign(node, {"label": "data(caption)", "color": "#1a1a1a", "font-size": 10,
        "min-zoomed-font-size": 7, "text-valign": "bottom", "text-margin-y": 3,
        "text-wrap": "ellipsis", "text-max-width": 140});
      Object.assign(edge, {"label": "data(label)", "font-size": 8, "min-zoomed-font-size": 9,
        "color": "#444"});
    }
    return [
      {selector: "node", style: node},
      {selector: "node[kind = 'entity']", style: {"shape": "diamond", "background-color": "#8a4b00"}},
      {selector: "node[?withheld]", style: {"background-color": "#767676"}},
      {selector: "node.root", style: {"border-width": 3, "border-color": "#1a1a1a"}},
      {selector: "node.open", style: {"border-width": 2, "border-color": "#005a9c"}},
      {selector: "node:selected", style: {"border-width": 3, "border-color": "#b35900"}},
      {selector: "edge", style: edge},
      {selector: "edge[kind = 'relationship']", style: {"line-color": "#2f5f8a"}},
      {selector: "edge[kind = 'correlation']", style: {"line-style": "dashed", "line-color": "#b35900"}},
      {selector: "edge[kind = 'candidate']", style: {"line-style": "dotted"}}
    ];
  }

  var cy = cytoscape({
    container: box,
    minZoom: 0.02,
    maxZoom: 1.5,
    textureOnViewport: true,
    hideEdgesOnViewport: true,
    pixelRatio: 1,
    style: stylesheet(false, true)
  });

  // Restyle only when the mode changes: every element's style is computed again then.
  function restyle(big, close) {
    if (mode.big !== big || mode.close !== close) {
      mode.big = big;
      mode.close = close;
      cy.style(stylesheet(big, close));
    }
  }

  function text(name) {
    return status.dataset[name] || name;
  }

  function caption(data) {
    var name = data.label || "";
    var tlp = data.tlp ? " [" + data.tlp + "]" : "";
    return (name ? data.type + ": " + name : data.type) + tlp;
  }

  function show(message) {
    status.textContent = message;
  }

  function summary() {
    var told = cy.nodes().length + " " + text("nodes") + ", " + Object.keys(edges).length +
      " " + text("edges");
    if (more > 0) {
      told += "; " + more + " " + text("more");
    }
    show(told);
  }

  function relist() {
    var chosen = list.value;
    var options = document.createDocumentFragment();
    cy.nodes().forEach(function (node) {
      var option = document.createElement("option");
      option.value = node.id();
      option.textContent = caption(node.data()) + (addedBy[node.id()] ? " (+)" : "");
      options.appendChild(option);
    });
    list.replaceChildren(options);
    if (chosen && cy.getElementById(chosen).length) {
      list.value = chosen;
    }
  }

  // ------------------------------------------------------------------ edges drawn

  function present(data) {
    return cy.getElementById(data.source).length && cy.getElementById(data.target).length;
  }

  // Know the edges drawn, forget those whose ends are gone, and draw those a small graph,
  // or a big one's view, calls for (and no other of a big graph, zoomed out).
  function drawEdges() {
    var wanted = [], near = {}, view = null;
    cy.edges().forEach(function (edge) { edges[edge.id()] = edge.data(); });
    Object.keys(edges).forEach(function (id) {
      if (!present(edges[id])) {
        delete edges[id];
      }
    });
    if (mode.big) {
      cy.nodes(":selected").forEach(function (node) { near[node.id()] = true; });
      view = mode.close ? cy.extent() : null;
    }
    Object.keys(edges).forEach(function (id) {
      var data = edges[id];
      var drawn = cy.getElementById(id).length;
      var keep = !mode.big || near[data.source] || near[data.target] ||
        (view && (inView(data.source, view) || inView(data.target, view)));
      if (keep && !drawn) {
        wanted.push({group: "edges", data: data});
      } else if (!keep && drawn && !mode.close) {
        cy.getElementById(id).remove();
      }
    });
    cy.add(wanted);
  }

  function inView(id, view) {
    var place = cy.getElementById(id).position();
    return place.x >= view.x1 && place.x <= view.x2 && place.y >= view.y1 && place.y <= view.y2;
  }

  // ------------------------------------------------------------------ layouts

  // Rings around the root, by how many clicks away a node was added (cheap: no force
  // simulation).
  function rings() {
    cy.layout({name: "concentric", animate: false, minNodeSpacing: 30,
      levelWidth: function () { return 1; },
      concentric: function (node) { return -(depth[node.id()] || 0); }}).run();
    cy.fit(undefined, 20);
  }

  function onSpiral(i) {
    var r = SPACING * Math.sqrt(i), angle = i * GOLDEN;
    return {x: r * Math.cos(angle), y: r * Math.sin(angle)};
  }

  // Steps from the root (a node added by other means counts as one).
  function away(node) {
    var steps = depth[node.id()];
    return steps === undefined ? 1 : steps;
  }

  // A spiral out from the root (Vogel's: even spacing, no overlap), nearer nodes first;
  // the viewport is set from its radius, without measuring any element. Only the nodes
  // whose place changed are moved.
  function spiral() {
    var nodes = cy.nodes().toArray();
    var order = {};
    nodes.forEach(function (node, i) { order[node.id()] = i; });
    nodes.sort(function (a, b) {
      return away(a) - away(b) || order[a.id()] - order[b.id()];
    });
    cy.batch(function () {
      nodes.forEach(function (node, i) {
        var place = onSpiral(i), now = node.position();
        if (now.x !== place.x || now.y !== place.y) {
          node.position(place);
        }
      });
    });
    var radius = SPACING * Math.sqrt(nodes.length) + SPACING;
    var zoom = Math.min(box.clientWidth, box.clientHeight) / (2 * radius);
    zoom = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), zoom));
    cy.viewport({zoom: zoom, pan: {x: box.clientWidth / 2, y: box.clientHeight / 2}});
  }

  function layout() {
    if (cy.nodes().length > BIG) {
      spiral();
      restyle(true, cy.zoom() >= CLOSE);
    } else {
      restyle(false, true);
      rings();
    }
    drawEdges();
  }

  // A big graph's labels and edges in view follow the zoom, once it has settled.
  function followView() {
    if (!mode.big) {
      return;
    }
    clearTimeout(viewed);
    viewed = setTimeout(function () {
      restyle(true, cy.zoom() >= CLOSE);
      drawEdges();
    }, 150);
  }

  // ------------------------------------------------------------------ changes

  function add(answer, parent) {
    var fresh = [], elements = [];
    answer.nodes.forEach(function (node) {
      if (!cy.getElementById(node.data.id).length) {
        node.data.caption = caption(node.data);
        depth[node.data.id] = node.data.id === root ? 0 : (depth[parent] || 0) + 1;
        fresh.push(node.data.id);
        elements.push({group: "nodes", data: node.data});
      }
    });
    // A big graph's style and places before its nodes: they are styled and placed once,
    // not twice (the layout then moves none of the nodes of a first answer).
    var count = cy.nodes().length;
    if (count + fresh.length > BIG) {
      restyle(true, mode.big && mode.close);
      elements.forEach(function (element) {
        element.position = onSpiral(count++);
      });
    }
    cy.add(elements);
    answer.edges.forEach(function (edge) {
      edges[edge.data.id] = edge.data;
    });
    addedBy[parent] = fresh;
    cy.getElementById(parent).addClass("open");
    more = Math.max(more, answer.more || 0);
  }

  function url(node) {
    var kind = node.data("kind") === "entity" ? "entity" : "object";
    return "/graph/data?" + kind + "=" + encodeURIComponent(node.id()) + "&depth=1";
  }

  function redraw() {
    layout();
    relist();
    summary();
  }

  function expand(node) {
    show(text("loading"));
    return fetch(url(node), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error(String(answer.status));
        }
        return answer.json();
      })
      .then(function (answer) {
        add(answer, node.id());
        redraw();
      })
      .catch(function () {
        show(text("failed"));
      });
  }

  function collapse(id) {
    (addedBy[id] || []).forEach(function (child) {
      if (child !== root && addedBy[child]) {
        collapse(child);
      }
      if (child !== root) {
        cy.getElementById(child).remove();
        delete depth[child];
      }
    });
    delete addedBy[id];
    cy.getElementById(id).removeClass("open");
  }

  function toggle(id) {
    var node = cy.getElementById(id);
    if (!node.length) {
      return Promise.resolve();
    }
    if (addedBy[id]) {
      collapse(id);
      redraw();
      return Promise.resolve();
    }
    return expand(node);
  }

  function open(id) {
    var node = cy.getElementById(id);
    if (node.length) {
      var kind = node.data("kind") === "entity" ? "/entities/" : "/objects/";
      window.location.assign(kind + encodeURIComponent(id));
    }
  }

  // A node chosen is marked, with its edges drawn; chosen in the list (by keyboard), in
  // a big graph, it is brought into view close enough for its label to be read.
  function mark(id, bring) {
    var node = cy.getElementById(id);
    cy.nodes(":selected").unselect();
    if (node.length) {
      node.select();
      if (bring && mode.big) {
        cy.zoom(Math.max(cy.zoom(), CLOSE));
        cy.center(node);
      }
    }
    if (mode.big) {
      drawEdges();
    }
  }

  cy.on("viewport", followView);
  list.addEventListener("change", function () {
    mark(list.value, true);
  });
  cy.on("tap", "node", function (event) {
    list.value = event.target.id();
    mark(list.value, false);
    toggle(event.target.id());
  });
  document.getElementById("graph-expand").addEventListener("click", function () {
    toggle(list.value);
  });
  document.getElementById("graph-open").addEventListener("click", function () {
    open(list.value);
  });
  document.getElementById("graph-controls").addEventListener("submit", function (event) {
    event.preventDefault();
    toggle(list.value);
  });

  show(text("loading"));
  fetch(box.dataset.source + "&depth=1", {credentials: "same-origin"})
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error(String(answer.status));
      }
      return answer.json();
    })
    .then(function (answer) {
      // Marks for bench/web.py: where the page's time goes.
      performance.mark("graph-fetched");
      add(answer, root);
      cy.getElementById(root).addClass("root");
      performance.mark("graph-added");
      layout();
      performance.mark("graph-laid-out");
      relist();
      list.value = root;
      summary();
      box.dataset.ready = "true";
    })
    .catch(function () {
      show(text("failed"));
    });

  // For the browser tests (and a curious analyst's console).
  window.passerelleGraph = {cy: cy, toggle: toggle, layout: layout, relist: relist};
})();
