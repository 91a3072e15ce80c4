// The graph page: draws the neighbourhood the node sends (/graph/data) with the vendored
// Cytoscape.js; a click on a node (or its choice in the list, by keyboard) fetches its
// neighbours, a second one hides what that first one added. Big graphs get a cheap
// layout (a grid) so that 5,000 nodes stay responsive.
(function () {
  "use strict";
  var BIG = 300;
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") {
    return;
  }
  var status = document.getElementById("graph-status");
  var list = document.getElementById("graph-node");
  var root = box.dataset.root;
  var addedBy = {};
  var depth = {};
  var more = 0;

  var cy = cytoscape({
    container: box,
    minZoom: 0.05,
    maxZoom: 1.5,
    textureOnViewport: true,
    hideEdgesOnViewport: true,
    pixelRatio: 1,
    style: [
      {selector: "node", style: {
        "label": "data(caption)", "font-size": 10, "min-zoomed-font-size": 7,
        "background-color": "#2f5f8a", "color": "#1a1a1a", "width": 18, "height": 18,
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis",
        "text-max-width": 140}},
      {selector: "node[kind = 'entity']", style: {"shape": "diamond", "background-color": "#8a4b00"}},
      {selector: "node[?withheld]", style: {"background-color": "#767676"}},
      {selector: "node.root", style: {"border-width": 3, "border-color": "#1a1a1a"}},
      {selector: "node.open", style: {"border-width": 2, "border-color": "#005a9c"}},
      {selector: "edge", style: {
        "width": 1.5, "line-color": "#8c8c8c", "curve-style": "straight",
        "label": "data(label)", "font-size": 8, "min-zoomed-font-size": 9, "color": "#444"}},
      {selector: "edge[kind = 'relationship']", style: {"line-color": "#2f5f8a"}},
      {selector: "edge[kind = 'correlation']", style: {"line-style": "dashed", "line-color": "#b35900"}},
      {selector: "edge[kind = 'candidate']", style: {"line-style": "dotted"}}
    ]
  });

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
    var told = cy.nodes().length + " " + text("nodes") + ", " + cy.edges().length + " " +
      text("edges");
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

  // Rings around the root, by how many clicks away a node was added (cheap: no force
  // simulation); a plain grid for big graphs.
  function layout() {
    var options = cy.nodes().length > BIG ?
      {name: "grid", animate: false, avoidOverlap: false} :
      {name: "concentric", animate: false, minNodeSpacing: 30, levelWidth: function () { return 1; },
        concentric: function (node) { return -(depth[node.id()] || 0); }};
    cy.layout(options).run();
    cy.fit(undefined, 20);
  }

  function add(answer, parent) {
    var fresh = [];
    answer.nodes.forEach(function (node) {
      if (!cy.getElementById(node.data.id).length) {
        node.data.caption = caption(node.data);
        depth[node.data.id] = node.data.id === root ? 0 : (depth[parent] || 0) + 1;
        fresh.push(node.data.id);
        cy.add({group: "nodes", data: node.data});
      }
    });
    answer.edges.forEach(function (edge) {
      if (!cy.getElementById(edge.data.id).length) {
        cy.add({group: "edges", data: edge.data});
      }
    });
    addedBy[parent] = fresh;
    cy.getElementById(parent).addClass("open");
    more = Math.max(more, answer.more || 0);
  }

  function url(node) {
    var kind = node.data("kind") === "entity" ? "entity" : "object";
    return "/graph/data?" + kind + "=" + encodeURIComponent(node.id()) + "&depth=1";
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
        layout();
        relist();
        summary();
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
      layout();
      relist();
      summary();
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

  cy.on("tap", "node", function (event) {
    list.value = event.target.id();
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
      add(answer, root);
      cy.getElementById(root).addClass("root");
      layout();
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
