// Wires the report's filters and controls to its charts and tables.
// Each page embeds its data in <script id="report-data" type="application/json">, by
// slice; this script picks the slice the filters select and hands its rows to the
// vega-embed views. Data strings reach the page only through textContent.
(function () {
  "use strict";

  const ALL = "(all)";
  const payload = JSON.parse(document.getElementById("report-data").textContent);
  const dimensions = payload.dimensions || [];
  const embedOptions = { actions: false, renderer: "svg" };
  const moneyFormat = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: payload.currency || "USD",
    maximumFractionDigits: 0,
  });
  const countFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const STATUS_LABELS = { on_track: "On track", at_risk: "At risk", off_track: "Off track" };
  const MEASURE_LABELS = { nrr: "NRR", grr: "GRR", logo_retention: "Logo retention" };
  const pending = [];

  // ---- Formatting -------------------------------------------------------------------

  function formatValue(value, unit) {
    if (value === null || value === undefined) return "–";
    if (unit === "ratio") return (value * 100).toFixed(1) + "%";
    if (unit === "currency") return moneyFormat.format(value);
    return countFormat.format(value);
  }

  function formatChange(delta, unit) {
    let sign = "±";
    if (delta > 0) sign = "+";
    if (delta < 0) sign = "-";
    const size = Math.abs(delta);
    if (unit === "ratio") return sign + (size * 100).toFixed(1) + " pts";
    if (unit === "currency") return sign + moneyFormat.format(size);
    return sign + countFormat.format(size);
  }

  function roundAsShown(value, unit) {
    if (unit === "ratio") return Math.round(value * 1000) / 1000;
    return Math.round(value);
  }

  function monthLabel(month) {
    const date = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1));
    return date.toLocaleDateString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
  }

  function valueAt(values, index) {
    const value = values[index];
    return value === undefined ? null : value;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function fillTable(tbody, rows) {
    tbody.replaceChildren(
      ...rows.map(function (cells) {
        const tr = element("tr");
        cells.forEach(function (cell, index) {
          const td = element("td", cell.text, cell.className || (index === 0 ? "text" : ""));
          tr.appendChild(td);
        });
        return tr;
      })
    );
  }

  // ---- State in the URL fragment, so a filtered page can be linked ------------------

  function readState() {
    const text = location.hash.slice(1);
    const state = {};
    if (text.indexOf("=") < 0) return state;
    new URLSearchParams(text).forEach(function (value, key) {
      state[key] = value;
    });
    return state;
  }

  function writeState(changes) {
    const state = Object.assign(readState(), changes);
    const params = new URLSearchParams();
    Object.keys(state).forEach(function (key) {
      if (state[key] !== null && state[key] !== undefined && state[key] !== ALL) {
        params.set(key, state[key]);
      }
    });
    const hash = params.toString();
    history.replaceState(null, "", hash ? "#" + hash : location.pathname);
    updateNavLinks();
  }

  function filterHash() {
    const state = readState();
    const params = new URLSearchParams();
    dimensions.forEach(function (dimension) {
      if (state[dimension.name] && state[dimension.name] !== ALL) {
        params.set(dimension.name, state[dimension.name]);
      }
    });
    const hash = params.toString();
    return hash ? "#" + hash : "";
  }

  function updateNavLinks() {
    const hash = filterHash();
    document.querySelectorAll("a[data-keeps-filters]").forEach(function (link) {
      link.setAttribute("href", link.getAttribute("href").split("#")[0] + hash);
    });
  }

  // ---- Filters ----------------------------------------------------------------------

  function sliceIndex(slices) {
    const index = new Map();
    (slices || []).forEach(function (slice) {
      index.set(JSON.stringify(slice.key), slice);
    });
    return index;
  }

  function setupFilters(onChange) {
    const selects = dimensions.map(function (dimension) {
      return document.querySelector('select[data-dimension="' + CSS.escape(dimension.name) + '"]');
    });
    const state = readState();
    selects.forEach(function (select, index) {
      if (!select) return;
      const requested = state[dimensions[index].name];
      if (requested && Array.from(select.options).some((option) => option.value === requested)) {
        select.value = requested;
      }
      select.addEventListener("change", changed);
    });

    function currentKey() {
      return selects.map((select) => (select ? select.value : ALL));
    }

    function changed() {
      const key = currentKey();
      const changes = {};
      dimensions.forEach(function (dimension, index) {
        changes[dimension.name] = key[index];
      });
      writeState(changes);
      apply(key);
    }

    function apply(key) {
      showSummary(key);
      onChange(key);
    }

    updateNavLinks();
    apply(currentKey());
  }

  function showSummary(key) {
    const summary = document.getElementById("filter-summary");
    if (!summary) return;
    const chosen = dimensions
      .map((dimension, index) => [dimension.label, key[index]])
      .filter((pair) => pair[1] !== ALL);
    summary.replaceChildren();
    if (!chosen.length) {
      summary.textContent = "Showing all accounts";
      return;
    }
    summary.appendChild(document.createTextNode("Showing "));
    chosen.forEach(function (pair, index) {
      if (index) summary.appendChild(document.createTextNode(" · "));
      summary.appendChild(document.createTextNode(pair[0] + " "));
      summary.appendChild(element("strong", pair[1]));
    });
  }

  function showEmpty(isEmpty) {
    const note = document.getElementById("empty-slice");
    if (note) note.hidden = !isEmpty;
  }

  // ---- Charts -----------------------------------------------------------------------

  // A chart drawn on its first rows; later rows replace its "rows" dataset in place.
  // Updates run in the order they were made.
  function chart(target, spec) {
    let ready = null;
    function queue(step) {
      ready = ready.then(step);
      pending.push(ready);
    }
    return {
      rows: function (rows) {
        if (ready) {
          queue((view) => view.data("rows", rows).runAsync());
          return;
        }
        const drawn = Object.assign({}, spec, { data: { name: "rows", values: rows } });
        ready = vegaEmbed(target, drawn, embedOptions).then((result) => result.view);
        pending.push(ready);
      },
      signal: function (name, value) {
        if (ready) queue((view) => view.signal(name, value).runAsync());
      },
    };
  }

  function markReady() {
    document.body.removeAttribute("data-ready");
    const waiting = pending.splice(0);
    Promise.all(waiting).then(
      function () {
        if (!pending.length) document.body.setAttribute("data-ready", "true");
      },
      function (error) {
        console.error("A chart failed to render:", error);
      }
    );
  }

  // ---- Overview ---------------------------------------------------------------------

  function initOverview() {
    const data = payload.overview;
    const slices = sliceIndex(data.slices);
    const tiles = data.metrics.map(function (metric) {
      const tile = document.getElementById("tile-" + metric.name);
      const target = tile.querySelector('[data-chart="sparkline"]');
      const sparkline = chart(target, payload.charts.sparklines[metric.name]);
      return { metric: metric, tile: tile, chart: sparkline };
    });
    const mrr = chart(document.getElementById("chart-mrr"), payload.charts.mrr_trend);

    return function (key) {
      const slice = slices.get(JSON.stringify(key));
      showEmpty(!slice);
      tiles.forEach((tile) => fillTile(tile, slice, data.months));
      const closing = (slice && slice.closing_mrr) || [];
      mrr.rows(
        data.mrr_months
          .map((month, i) => ({ month: month, mrr: valueAt(closing, i) }))
          .filter((row) => row.mrr !== null)
      );
      fillRetentionSnapshot(slice);
    };
  }

  function fillTile(tile, slice, months) {
    const metric = tile.metric;
    const noFigures = { values: [], target: null, status: null };
    const entry = (slice && slice.metrics && slice.metrics[metric.name]) || noFigures;
    const values = entry.values || [];
    const last = months.length - 1;
    const current = valueAt(values, last);
    const prior = valueAt(values, last - 1);
    const field = (name) => tile.tile.querySelector('[data-field="' + name + '"]');

    field("value").textContent = formatValue(current, metric.unit);
    field("value").setAttribute("data-value", current === null ? "" : String(current));
    const change = field("change");
    change.className = "";
    if (current !== null && prior !== null) {
      // Rounded as shown, so that a change too small to show reads as ±0, uncoloured.
      const delta = roundAsShown(current - prior, metric.unit);
      change.textContent = formatChange(delta, metric.unit) + " vs " + monthLabel(months[last - 1]);
      const better = metric.direction === "lower_is_better" ? delta < 0 : delta > 0;
      if (delta !== 0) change.className = better ? "change-good" : "change-bad";
    } else {
      change.textContent = "No change to show";
    }
    const target = entry.target === null ? null : formatValue(entry.target, metric.unit);
    field("target").textContent = target === null ? "No target" : "Target " + target;
    const badge = field("status");
    badge.textContent = STATUS_LABELS[entry.status] || "No target";
    badge.className = "badge" + (entry.status ? " badge-" + entry.status : "");
    tile.tile.setAttribute("data-status", entry.status || "");
    tile.chart.rows(
      months
        .slice(1)
        .map((month, i) => ({ month: month, value: valueAt(values, i + 1), target: entry.target }))
        .filter((row) => row.value !== null)
    );
  }

  function fillRetentionSnapshot(slice) {
    const tbody = document.querySelector("#retention-snapshot tbody");
    const retention = (slice && slice.retention) || {};
    const lookbacks = Object.keys(retention).sort((a, b) => Number(a) - Number(b));
    fillTable(
      tbody,
      lookbacks.map(function (lookback) {
        const row = retention[lookback];
        return [
          { text: lookback + (lookback === "1" ? " month" : " months") },
          { text: formatValue(row.nrr, "ratio") },
          { text: formatValue(row.grr, "ratio") },
          { text: formatValue(row.logo_retention, "ratio") },
          { text: formatValue(row.starting_mrr, "currency") },
        ];
      })
    );
  }

  // ---- MRR bridge -------------------------------------------------------------------

  function initBridge() {
    const data = payload.bridge;
    const slices = sliceIndex(data.slices);
    const from = document.getElementById("bridge-from");
    const to = document.getElementById("bridge-to");
    const waterfall = chart(document.getElementById("chart-waterfall"), payload.charts.waterfall);
    const bars = chart(document.getElementById("chart-movements"), payload.charts.movements);
    const state = readState();
    if (data.months.indexOf(state.from) >= 0) from.value = state.from;
    if (data.months.indexOf(state.to) >= 0) to.value = state.to;
    let currentKey = null;

    function draw() {
      let first = data.months.indexOf(from.value);
      let last = data.months.indexOf(to.value);
      if (first > last) [first, last] = [last, first];
      const slice = slices.get(JSON.stringify(currentKey));
      showEmpty(!slice);
      const columns = slice ? slice.columns : {};
      const steps = bridgeSteps(data.steps, columns, first, last);
      waterfall.rows(steps);
      fillTable(
        document.querySelector("#waterfall-table tbody"),
        steps.map((step) => [
          { text: step.label },
          { text: moneyFormat.format(step.amount), className: step.amount < 0 ? "negative" : "" },
        ])
      );
      let title = monthLabel(data.months[last]);
      if (first !== last) title = monthLabel(data.months[first]) + " – " + title;
      document.getElementById("waterfall-title").textContent = "Bridge, " + title;
      drawMonthly(columns, first === last ? Math.max(0, last - 23) : first, last);
    }

    function drawMonthly(columns, first, last) {
      const rows = [];
      const lines = [];
      for (let i = first; i <= last; i++) {
        const month = data.months[i];
        data.steps.forEach(function (step, order) {
          if (step.key === "opening_mrr" || step.key === "closing_mrr") return;
          const value = columns[step.key] ? columns[step.key][i] : null;
          if (value) {
            rows.push({ month: month, label: step.label, order: order, amount: step.sign * value });
          }
        });
        const logos = valueAt(columns.active_logos || [], i);
        lines.push(
          [{ text: monthLabel(month) }].concat(
            data.steps.map((step) => ({ text: cellMoney(columns[step.key], i, step.sign) })),
            [{ text: logos === null ? "–" : countFormat.format(logos) }]
          )
        );
      }
      bars.rows(rows);
      fillTable(document.querySelector("#movements-table tbody"), lines.reverse());
      const span = monthLabel(data.months[first]) + " – " + monthLabel(data.months[last]);
      document.getElementById("movements-title").textContent = "Monthly movements, " + span;
    }

    function rangeChanged() {
      writeState({ from: from.value, to: to.value });
      draw();
      markReady();
    }
    from.addEventListener("change", rangeChanged);
    to.addEventListener("change", rangeChanged);

    return function (key) {
      currentKey = key;
      if (data.months.length) draw();
    };
  }

  function cellMoney(series, index, sign) {
    if (!series || series[index] === null || series[index] === undefined) return "–";
    return moneyFormat.format(sign < 0 && series[index] ? -series[index] : series[index]);
  }

  // Opening MRR of the first month, each movement summed over the range with its sign,
  // then closing MRR of the last month. A slice whose accounts change between months
  // (ARR bands) does not close, so the difference is shown as its own step.
  function bridgeSteps(steps, columns, first, last) {
    const at = (key, i) => (columns[key] && columns[key][i]) || 0;
    const rows = [];
    let expected = at("opening_mrr", first);
    steps.forEach(function (step) {
      if (step.key === "opening_mrr") {
        rows.push({ label: step.label, kind: "total", amount: expected });
      } else if (step.key === "closing_mrr") {
        const closing = at("closing_mrr", last);
        // Amounts arrive rounded to the cent, so sums may miss closing MRR by a few
        // cents. Only a whole currency unit or more is a real difference.
        if (Math.abs(closing - expected) >= 1) {
          rows.push({ label: "Moves between slices", kind: "flow", amount: closing - expected });
        }
        rows.push({ label: step.label, kind: "total", amount: closing });
      } else {
        let sum = 0;
        for (let i = first; i <= last; i++) sum += at(step.key, i);
        rows.push({ label: step.label, kind: "flow", amount: step.sign * sum });
        expected += step.sign * sum;
      }
    });
    return rows.map(function (row, order) {
      return Object.assign(row, { order: order, amount: Math.round(row.amount * 100) / 100 });
    });
  }

  // ---- Retention trend --------------------------------------------------------------

  function initRetention() {
    const data = payload.retention;
    const slices = sliceIndex(data.slices);
    const views = {};
    document.querySelectorAll("[data-lookback]").forEach(function (target) {
      const lookback = target.getAttribute("data-lookback");
      views[lookback] = chart(target, payload.charts.trend[lookback]);
    });

    return function (key) {
      const slice = slices.get(JSON.stringify(key));
      showEmpty(!slice);
      Object.keys(views).forEach(function (lookback) {
        const series = (slice && slice.series[lookback]) || {};
        const rows = [];
        Object.keys(MEASURE_LABELS).forEach(function (measure) {
          (series[measure] || []).forEach(function (value, i) {
            if (value === null) return;
            rows.push({ month: data.months[i], measure: MEASURE_LABELS[measure], value: value });
          });
        });
        views[lookback].rows(rows);
        const latest = document.querySelector('[data-latest="' + lookback + '"]');
        const last = (measure) => (series[measure] || []).filter((v) => v !== null).slice(-1)[0];
        const nrr = formatValue(last("nrr"), "ratio");
        latest.textContent = "NRR " + nrr + " · GRR " + formatValue(last("grr"), "ratio");
      });
    };
  }

  // ---- Cohorts ----------------------------------------------------------------------

  function initCohorts() {
    const data = payload.cohorts;
    const slices = sliceIndex(data.slices);
    const heatmap = chart(document.getElementById("chart-cohorts"), payload.charts.heatmap);
    const measures = data.measures.map((measure) => measure.key);
    document.querySelectorAll('input[name="measure"]').forEach(function (input) {
      input.addEventListener("change", function () {
        heatmap.signal("measure", input.value);
        markReady();
      });
    });

    return function (key) {
      const slice = slices.get(JSON.stringify(key));
      showEmpty(!slice);
      const rows = [];
      if (slice) {
        data.cohorts.forEach(function (cohort, order) {
          const rowOf = (measure) => (slice.rows[measure] || [])[order];
          addCohortRow(rows, measures, monthLabel(cohort), order, rowOf);
        });
        const averageOf = (measure) => slice.average[measure];
        addCohortRow(rows, measures, "Average", data.cohorts.length, averageOf);
      }
      heatmap.rows(rows);
    };
  }

  function addCohortRow(rows, measures, label, order, valuesOf) {
    const longest = Math.max(0, ...measures.map((measure) => (valuesOf(measure) || []).length));
    for (let age = 0; age < longest; age++) {
      const row = { cohort: label, order: order, age: age };
      measures.forEach(function (measure) {
        const values = valuesOf(measure) || [];
        row[measure] = values[age] === undefined ? null : values[age];
      });
      rows.push(row);
    }
  }

  // ---- Top movers -------------------------------------------------------------------

  function initMovers() {
    const select = document.getElementById("movers-month");
    const history = payload.history;
    const panel = document.getElementById("account-history");
    let accountChart = null;

    function showMonth(month) {
      document.querySelectorAll(".movers-month").forEach(function (section) {
        section.hidden = section.getAttribute("data-month") !== month;
      });
    }

    function showAccount(account, name) {
      const series = history.accounts[account];
      if (!series) return;
      panel.hidden = false;
      document.getElementById("account-title").textContent = "Account history: " + name;
      if (!accountChart) {
        accountChart = chart(document.getElementById("chart-account"), payload.charts.history);
      }
      accountChart.rows(history.months.map((month, i) => ({ month: month, mrr: series[i] })));
      markReady();
    }

    const state = readState();
    if (state.month && Array.from(select.options).some((option) => option.value === state.month)) {
      select.value = state.month;
    }
    showMonth(select.value);
    select.addEventListener("change", function () {
      writeState({ month: select.value });
      showMonth(select.value);
    });
    document.querySelectorAll("a[data-account]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        writeState({ account: link.getAttribute("data-account") });
        showAccount(link.getAttribute("data-account"), link.getAttribute("data-name"));
        panel.scrollIntoView({ behavior: "smooth", block: "start" });
      });
    });
    if (state.account) {
      const link = Array.from(document.querySelectorAll("a[data-account]")).find(
        (candidate) => candidate.getAttribute("data-account") === state.account
      );
      showAccount(state.account, link ? link.getAttribute("data-name") : state.account);
    }
  }

  // ---- Start ------------------------------------------------------------------------

  const pages = {
    overview: initOverview,
    bridge: initBridge,
    retention: initRetention,
    cohorts: initCohorts,
  };
  const page = document.body.getAttribute("data-page");
  if (pages[page]) {
    const update = pages[page]();
    setupFilters(function (key) {
      update(key);
      markReady();
    });
  } else {
    if (page === "movers") initMovers();
    updateNavLinks();
    markReady();
  }
})();
