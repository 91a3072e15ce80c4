// The partners page: draws the reciprocity figures with the vendored Chart.js, from the
// figures the table carries in its data- attributes (the table is the accessible view of
// the same numbers; the charts add nothing it does not say). No inline script: CSP.
(function () {
  "use strict";
  var box = document.getElementById("partner-charts");
  var table = document.getElementById("partner-figures");
  if (!box || !table || typeof Chart !== "function") {
    return;
  }
  var words = box.dataset;
  var outcomeNames = JSON.parse(words.outcomes || "{}");
  var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
    var d = tr.dataset;
    return {
      partner: d.partner,
      direction: d.direction,
      ackHours: d.ackSeconds === "" ? null : Math.round(Number(d.ackSeconds) / 36) / 100,
      overdue: Number(d.overdue),
      asked: Number(d.rfisAsked),
      answered: Number(d.rfisAnswered),
      refused: Number(d.rfisRefused),
      rfisOverdue: Number(d.rfisOverdue),
      outcomes: JSON.parse(d.outcomes || "{}")
    };
  });
  var partners = [];
  rows.forEach(function (row) {
    if (partners.indexOf(row.partner) < 0) {
      partners.push(row.partner);
    }
  });
  var directionName = {to: words.to, from: words.from};
  var colours = ["#2f5f8a", "#b35900", "#3d7a3d", "#8a2f5f", "#5f5f5f", "#7a6a00"];

  function figure(direction, partner, key) {
    var found = rows.filter(function (r) {
      return r.direction === direction && r.partner === partner;
    })[0];
    return found ? found[key] : null;
  }

  // One bar per partner, one colour per direction, for the figure ``key``.
  function byDirection(key, label) {
    return ["to", "from"].map(function (direction, i) {
      return {
        label: (label ? label + " · " : "") + directionName[direction],
        data: partners.map(function (p) { return figure(direction, p, key); }),
        backgroundColor: colours[i]
      };
    });
  }

  function draw(id, datasets, labels, stacked) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: {labels: labels, datasets: datasets},
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {stacked: !!stacked},
          y: {stacked: !!stacked, beginAtZero: true, ticks: {precision: 0}}
        },
        plugins: {legend: {position: "bottom"}}
      }
    });
  }

  draw("chart-ack", byDirection("ackHours"), partners);

  // Outcomes: one bar per partner and direction, stacked by kind.
  var pairs = [];
  partners.forEach(function (p) {
    pairs.push({partner: p, direction: "to"}, {partner: p, direction: "from"});
  });
  var kinds = Object.keys(outcomeNames);
  draw("chart-outcomes", kinds.map(function (kind, i) {
    return {
      label: outcomeNames[kind],
      data: pairs.map(function (pair) {
        var outcomes = figure(pair.direction, pair.partner, "outcomes") || {};
        return outcomes[kind] || 0;
      }),
      backgroundColor: colours[i % colours.length]
    };
  }), pairs.map(function (pair) {
    return pair.partner + " · " + directionName[pair.direction];
  }), true);

  draw("chart-rfis", byDirection("asked", words.asked).concat(
    byDirection("answered", words.answered), byDirection("refused", words.refused)
  ).map(function (set, i) {
    set.backgroundColor = colours[i % colours.length];
    return set;
  }), partners);

  draw("chart-overdue", byDirection("overdue", words.tips).concat(
    byDirection("rfisOverdue", words.rfis)
  ).map(function (set, i) {
    set.backgroundColor = colours[i % colours.length];
    return set;
  }), partners);
  box.dataset.drawn = "true";
}());
