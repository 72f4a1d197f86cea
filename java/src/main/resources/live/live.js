// lca4j live view: listens to /events (server-sent events) and grows uPlot charts as steps arrive.
// window.lca holds the state so tests and users can inspect it from the console.
// A step event is a point of s.steps consecutive steps from s.step (one step up to 2,000 steps; a
// longer run comes as 2,000 points): its LCA, helped fraction and losses are means per step.
(function () {
  "use strict";
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
  const lca = window.lca = { meta: null, steps: [], charts: {}, done: null };
  const $ = id => document.getElementById(id);
  const colour = (name, i) => name === "exact" ? "#000" : name === "exact_val" ? "#888" : PALETTE[i % PALETTE.length];

  function chart(el, title, names, width, height) {
    const series = [{}].concat(names.map((n, i) => ({ label: n, stroke: colour(n, i), width: n === "exact" ? 2 : 1 })));
    const data = [[]].concat(names.map(() => []));
    // A wide y axis: LCA values are small and signed, and their labels must not be clipped.
    const u = new uPlot({ title: title, width: width, height: height, series: series, scales: { x: { time: false } },
                          axes: [{}, { size: 70 }] }, data, el);
    return { u: u, data: data };
  }
  function push(c, x, ys) {
    c.data[0].push(x);
    ys.forEach((y, i) => c.data[i + 1].push(y == null ? null : y));
  }

  function onMeta(m) {
    lca.meta = m;
    $("run").textContent = m.run;
    $("total").textContent = m.totalSteps > 0 ? m.totalSteps : "?";
    if (m.stride > 1) $("stride").textContent = "Each point is the mean per step of " + m.stride + " consecutive steps (at most 2,000 points a run).";
    document.querySelectorAll(".heatname").forEach(e => e.textContent = m.heatEstimator);
    lca.charts.loss = chart($("loss"), "loss", ["batch loss", "reference loss L_R"], 560, 240);
    lca.charts.helped = chart($("helped"), "helped fraction", m.estimators, 560, 240);
    lca.charts.layers = m.layers.map(l => {
      const d = document.createElement("div");
      $("layers").appendChild(d);
      return chart(d, l.name, m.estimators, 420, 200);
    });
    lca.charts.cumulative = chart($("cumulative"), "cumulative LCA per layer", m.layers.map(l => l.name), 900, 260);
    lca.cumulative = m.layers.map(() => 0);
    m.neuronLayers.forEach(n => {
      const o = document.createElement("option");
      o.value = n.weight;
      o.textContent = n.name + " (" + n.neurons + " neurons)";
      $("neuronLayer").appendChild(o);
    });
    $("neuronLayer").onchange = drawHeat;
    lca.study = {};
    m.estimators.filter(e => e !== "exact" && e !== "exact_val").forEach(e => lca.study[e] = { series: m.layers.map(() => []), exact: m.layers.map(() => []), hf: [] });
  }

  function onStep(s) {
    lca.steps.push(s);
    const m = lca.meta;
    push(lca.charts.loss, s.step, [s.batchLoss, s.lossBefore]);
    push(lca.charts.helped, s.step, m.estimators.map(e => s.helped[e]));
    lca.charts.layers.forEach((c, l) => push(c, s.step, m.estimators.map(e => s.lca[e] ? s.lca[e][l] : null)));
    const h = s.lca[m.heatEstimator];
    if (h) h.forEach((v, l) => lca.cumulative[l] += v * (s.steps || 1));
    push(lca.charts.cumulative, s.step, lca.cumulative.slice());
    if (s.lca.exact) {
      Object.keys(lca.study).forEach(e => {
        const st = lca.study[e];
        if (!s.lca[e]) return;
        m.layers.forEach((_, l) => { st.series[l].push(s.lca[e][l]); st.exact[l].push(s.lca.exact[l]); });
        st.hf.push(Math.abs(s.helped[e] - s.helped.exact));
      });
    }
    $("steps").textContent = s.step + (s.steps || 1);
    $("state").textContent = "training";
    schedule();
  }

  // Redraw at most once per animation frame, however fast steps arrive.
  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const all = [lca.charts.loss, lca.charts.helped, lca.charts.cumulative].concat(lca.charts.layers);
      all.forEach(c => c.u.setData(c.data));
      drawHeat();
      drawStudy();
    });
  }

  function drawHeat() {
    const layer = $("neuronLayer").value;
    const cv = $("heat"), g = cv.getContext("2d");
    const rows = lca.steps.filter(s => s.neurons && s.neurons[layer]).map(s => s.neurons[layer]);
    g.clearRect(0, 0, cv.width, cv.height);
    if (!rows.length) return;
    const n = rows[0].length;
    let max = 0;
    rows.forEach(r => r.forEach(v => max = Math.max(max, Math.abs(v))));
    const img = g.createImageData(rows.length, n);
    // White at zero, towards green (helped, A < 0) or red (hurt, A > 0) with |A| / max.
    const HELPED = [44, 160, 44], HURT = [214, 39, 40];
    rows.forEach((r, t) => r.forEach((v, j) => {
      const k = 4 * (j * rows.length + t), a = max > 0 ? Math.min(1, Math.abs(v) / max) : 0, c = v < 0 ? HELPED : HURT;
      for (let ch = 0; ch < 3; ch++) img.data[k + ch] = Math.round(255 * (1 - a) + c[ch] * a);
      img.data[k + 3] = 255;
    }));
    const tmp = document.createElement("canvas");
    tmp.width = rows.length; tmp.height = n;
    tmp.getContext("2d").putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(tmp, 0, 0, cv.width, cv.height);
    $("heatScale").textContent = "colour scale ±" + max.toExponential(2) + " per step";
  }

  function pearson(a, b) {
    const n = a.length;
    if (n < 3) return NaN;
    let ma = 0, mb = 0;
    for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
    ma /= n; mb /= n;
    let sab = 0, saa = 0, sbb = 0;
    for (let i = 0; i < n; i++) { const x = a[i] - ma, y = b[i] - mb; sab += x * y; saa += x * x; sbb += y * y; }
    return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
  }
  const fmt = v => Number.isFinite(v) ? v.toFixed(3) : "–";

  // The same metrics as the run's final table (docs/LCA.md), over the steps received so far.
  function drawStudy() {
    const body = document.querySelector("#study tbody");
    const names = Object.keys(lca.study || {});
    if (!names.length) { $("studyNote").textContent = "The study needs exact LCA and at least one estimator in the run."; return; }
    body.innerHTML = "";
    names.forEach(e => {
      const st = lca.study[e];
      const rs = st.series.map((s, l) => pearson(s, st.exact[l])).filter(Number.isFinite);
      const errs = st.series.map((s, l) => {
        const a = s.reduce((x, y) => x + y, 0), b = st.exact[l].reduce((x, y) => x + y, 0);
        return b !== 0 ? Math.abs(a - b) / Math.abs(b) : NaN;
      }).filter(Number.isFinite);
      const mean = xs => xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : NaN;
      const tr = document.createElement("tr");
      [e, fmt(mean(rs)), fmt(mean(errs)), fmt(mean(st.hf))].forEach(v => { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      tr.dataset.estimator = e;
      body.appendChild(tr);
    });
    if (lca.done && lca.done.bestByCost) {
      Object.values(lca.done.bestByCost).forEach(b => { const r = body.querySelector('tr[data-estimator="' + b + '"]'); if (r) r.className = "best"; });
      $("studyNote").textContent = "Final: best at each cost in bold (run.json has every metric).";
    }
  }

  const es = new EventSource("events");
  es.addEventListener("meta", ev => onMeta(JSON.parse(ev.data)));
  es.addEventListener("step", ev => onStep(JSON.parse(ev.data)));
  es.addEventListener("done", ev => { lca.done = JSON.parse(ev.data); $("state").textContent = "done"; drawStudy(); });
  es.addEventListener("failed", ev => { lca.failed = true; $("state").textContent = "failed: " + JSON.parse(ev.data).error; });
  es.onerror = () => { if (!lca.done && !lca.failed) $("state").textContent = "disconnected (the run or server ended)"; };
  es.onopen = () => { if (!lca.steps.length) $("state").textContent = "waiting for steps"; };
})();
