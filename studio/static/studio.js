// PAC Studio's page: plain JavaScript, no packages, nothing from the internet.
// Every name a student typed is shown with textContent, never as HTML.

import { $, el } from "./dom.js";
import { setUpTry } from "./try.js";

const state = { project: null, data: null, mic: null, training: null, history: [] };

function say(text) {
  $("status").textContent = text;
}

function problem(text) {
  const box = $("problem");
  box.textContent = text ? text[0].toUpperCase() + text.slice(1) : "";
  box.hidden = !text;
}

function projectUrl(path = "") {
  return `/api/projects/${encodeURIComponent(state.project)}${path}`;
}

function labelUrl(label, path = "") {
  return projectUrl(`/labels/${encodeURIComponent(label)}${path}`);
}

async function api(method, url, body, contentType = "application/json") {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.body = contentType === "application/json" ? JSON.stringify(body) : body;
    options.headers["Content-Type"] = contentType;
  }
  const response = await fetch(url, options);
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { error: text };
  }
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

async function attempt(work) {
  problem("");
  try {
    return await work();
  } catch (err) {
    problem(err.message);
    return undefined;
  }
}

// --- tabs ----------------------------------------------------------------------------

const TABS = ["sounds", "train", "test", "export", "phone", "try"];

function showTab(name) {
  for (const tab of TABS) {
    const selected = tab === name;
    $(`tab-${tab}`).setAttribute("aria-selected", String(selected));
    $(`tab-${tab}`).tabIndex = selected ? 0 : -1;
    $(`view-${tab}`).hidden = !selected;
  }
  if (name === "phone") openPhone();
}

function setUpTabs() {
  TABS.forEach((tab, i) => {
    const button = $(`tab-${tab}`);
    button.addEventListener("click", () => showTab(tab));
    button.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = TABS[(i + step + TABS.length) % TABS.length];
      showTab(next);
      $(`tab-${next}`).focus();
    });
  });
}

// --- projects ------------------------------------------------------------------------

async function loadProjects(wanted) {
  const { projects } = await api("GET", "/api/projects");
  const select = $("project-select");
  select.replaceChildren(...projects.map((name) => el("option", { value: name, text: name })));
  if (!projects.length) {
    state.project = null;
    say("Make a project to start: type a name and press New project.");
    render();
    return;
  }
  const name = projects.includes(wanted) ? wanted : projects.includes(state.project) ? state.project : projects[0];
  select.value = name;
  await openProject(name);
}

async function openProject(name) {
  say("");
  state.project = name;
  state.history = [];
  history.replaceState(null, "", `#project=${encodeURIComponent(name)}`);
  await refresh();
}

async function refresh() {
  if (!state.project) return;
  state.data = await api("GET", projectUrl());
  render();
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => attempt(refresh), 150);
}

// --- rendering -----------------------------------------------------------------------

function render() {
  const data = state.data;
  const has = Boolean(state.project && data);
  for (const id of ["add-label-form", "train-button", "test-record", "build-aix", "phone-start"]) {
    const node = $(id);
    if (node.tagName === "FORM") node.querySelectorAll("input,button").forEach((n) => (n.disabled = !has));
    else node.disabled = !has;
  }
  if (!has) {
    $("labels").replaceChildren();
    return;
  }
  renderLabels(data);
  renderSettings(data.settings);
  renderTraining(data.training);
  renderResult(data.last_training);
  renderTruth(data);
  const trained = data.has_model;
  $("tfjs-link").href = trained ? projectUrl("/export/tfjs.zip") : "#";
  $("metadata-link").href = trained ? projectUrl("/export/metadata.json") : "#";
  for (const id of ["tfjs-link", "metadata-link"]) $(id).setAttribute("aria-disabled", String(!trained));
}

function renderLabels(data) {
  const cards = data.labels.map((label) => labelCard(label));
  if (!cards.length) cards.push(el("p", { class: "hint", text: "No labels yet. Add your first label above." }));
  $("labels").replaceChildren(...cards);
}

function labelCard(label) {
  const count = label.clips.length;
  const file = el("input", {
    type: "file",
    accept: "audio/*,.3gp,.amr,.m4a,.ogg,.opus,.flac",
    multiple: "",
    class: "visually-hidden",
    id: `file-${cssId(label.name)}`,
    onchange: (event) => uploadFiles(label.name, event.target.files),
  });
  const card = el(
    "section",
    { class: "label-card", "aria-label": `Label ${label.name}` },
    el("h3", {}, el("span", { text: label.name }), el("span", { class: "count", text: ` ${count} clip${count === 1 ? "" : "s"}` })),
    el(
      "div",
      { class: "actions" },
      el("button", { class: "primary", text: "Record", "aria-label": `Record clips for ${label.name}`, onclick: () => recordInto(label.name) }),
      el("label", { class: "button", for: file.id, text: "Upload…", "aria-label": `Upload clips for ${label.name}` }),
      file,
      el("button", { text: "Rename", "aria-label": `Rename ${label.name}`, onclick: () => renameLabel(label.name) }),
      el("button", { text: "Delete", "aria-label": `Delete ${label.name}`, onclick: () => deleteLabel(label.name) }),
    ),
    el("ul", { class: "clips" }, ...label.clips.map((clip) => clipItem(label.name, clip))),
  );
  if (count < 5) card.append(el("p", { class: "hint", text: `Record ${5 - count} more: 5 clips per label work well.` }));
  card.addEventListener("dragover", (event) => {
    event.preventDefault();
    card.classList.add("drop");
  });
  card.addEventListener("dragleave", () => card.classList.remove("drop"));
  card.addEventListener("drop", (event) => {
    event.preventDefault();
    card.classList.remove("drop");
    uploadFiles(label.name, event.dataTransfer.files);
  });
  return card;
}

function cssId(text) {
  return Array.from(text).map((c) => c.codePointAt(0).toString(16)).join("-");
}

function clipItem(label, clip) {
  const canvas = el("canvas", { class: "spectrogram", width: "1", height: "32", role: "img", "aria-label": `Spectrogram of a ${clip.seconds.toFixed(1)} second clip` });
  const known = spectrogramCache.get(`${label}/${clip.id}`);
  if (known) drawSpectrogram(canvas, known);
  else loadSpectrogram(label, clip.id, canvas);
  const from = { rec: "recorded here", upload: "uploaded", phone: "from phone", file: "file" }[clip.source] || clip.source;
  const item = el(
    "li",
    { class: clip.warnings.length ? "clip warn" : "clip" },
    canvas,
    el("span", { class: "clip-info", text: `${clip.seconds.toFixed(1)} s · ${from}` }),
    el("button", { text: "▶ Play", "aria-label": `Play clip ${clip.id}`, onclick: () => play(labelUrl(label, `/clips/${encodeURIComponent(clip.id)}/audio`)) }),
    el("button", { text: "✕", "aria-label": `Delete clip ${clip.id}`, onclick: () => deleteClip(label, clip.id) }),
  );
  for (const warning of clip.warnings) item.append(el("span", { class: "warning", text: `⚠ ${warning}` }));
  return item;
}

const spectrogramCache = new Map();

async function loadSpectrogram(label, clipId, canvas) {
  try {
    const picture = await api("GET", labelUrl(label, `/clips/${encodeURIComponent(clipId)}/spectrogram`));
    spectrogramCache.set(`${label}/${clipId}`, picture);
    drawSpectrogram(canvas, picture);
  } catch {
    // a clip deleted meanwhile: the next refresh drops it
  }
}

const RAMP = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
]; // an "inferno"-like ramp: quiet is dark, loud is bright

function colour(v) {
  const t = (v / 255) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t));
  const f = t - i;
  return RAMP[i].map((c, k) => Math.round(c + f * (RAMP[i + 1][k] - c)));
}

function drawSpectrogram(canvas, picture) {
  const { frames, bands, values } = picture;
  canvas.width = Math.max(1, frames);
  canvas.height = bands;
  if (!frames) return;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(frames, bands);
  for (let f = 0; f < frames; f++) {
    for (let b = 0; b < bands; b++) {
      const [r, g, bl] = colour(values[f * bands + b]);
      const at = ((bands - 1 - b) * frames + f) * 4; // low bands at the bottom
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = bl;
      image.data[at + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

let player = null;
function play(url) {
  if (player) player.pause();
  player = new Audio(url);
  player.play().catch((err) => problem(`Cannot play the clip: ${err.message}`));
}

// --- labels and clips ----------------------------------------------------------------

async function addLabel(event) {
  event.preventDefault();
  const input = $("new-label-name");
  const name = input.value;
  const done = await attempt(() => api("POST", projectUrl("/labels"), { name }));
  if (done) {
    input.value = "";
    say(`Added the label ${done.name}. Now record some clips for it.`);
    await attempt(refresh);
  }
}

async function renameLabel(label) {
  const name = prompt(`New name for ${label}:`, label);
  if (name === null || name === label) return;
  if (await attempt(() => api("PATCH", labelUrl(label), { name }))) await attempt(refresh);
}

async function deleteLabel(label) {
  if (!confirm(`Delete the label ${label} and all its clips?`)) return;
  if (await attempt(() => api("DELETE", labelUrl(label)))) {
    say(`Deleted ${label}.`);
    await attempt(refresh);
  }
}

async function deleteClip(label, clipId) {
  if (await attempt(() => api("DELETE", labelUrl(label, `/clips/${encodeURIComponent(clipId)}`)))) await attempt(refresh);
}

async function uploadFiles(label, files) {
  for (const file of Array.from(files || [])) {
    say(`Adding ${file.name}…`);
    const clip = await attempt(() =>
      api("POST", labelUrl(label, `/clips?source=upload&filename=${encodeURIComponent(file.name)}`), file, "application/octet-stream"),
    );
    if (clip) spectrogramCache.set(`${label}/${clip.id}`, clip.spectrogram);
  }
  say("");
  await attempt(refresh);
}

// --- the microphone ------------------------------------------------------------------

async function microphone() {
  if (state.mic) return state.mic;
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const context = new AudioContext();
  await context.audioWorklet.addModule("/static/recorder-worklet.js");
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, "pac-recorder");
  const mic = { context, stream, node, rate: context.sampleRate, ring: new Float32Array(context.sampleRate * 4), written: 0, listeners: new Set() };
  node.port.onmessage = (event) => {
    const block = event.data;
    let peak = 0;
    for (let i = 0; i < block.length; i++) {
      mic.ring[(mic.written + i) % mic.ring.length] = block[i];
      peak = Math.max(peak, Math.abs(block[i]));
    }
    mic.written += block.length;
    $("level").value = peak;
    for (const listener of mic.listeners) listener(block);
  };
  source.connect(node);
  state.mic = mic;
  return mic;
}

function latest(mic, n) {
  const out = new Float32Array(n);
  const start = mic.written - n;
  for (let i = 0; i < n; i++) out[i] = start + i < 0 ? 0 : mic.ring[(start + i) % mic.ring.length];
  return out;
}

function record(mic, seconds) {
  const wanted = Math.round(seconds * mic.rate);
  const parts = [];
  let have = 0;
  return new Promise((resolve) => {
    const listener = (block) => {
      parts.push(block);
      have += block.length;
      if (have >= wanted) {
        mic.listeners.delete(listener);
        const out = new Float32Array(wanted);
        let at = 0;
        for (const part of parts) {
          const n = Math.min(part.length, wanted - at);
          out.set(part.subarray(0, n), at);
          at += n;
          if (at >= wanted) break;
        }
        resolve(out);
      }
    };
    mic.listeners.add(listener);
  });
}

function wav(samples, rate) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, v < 0 ? v * 0x8000 : v * 0x7fff, true);
  }
  return new Blob([buffer], { type: "audio/wav" });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function countdown() {
  for (const n of ["3", "2", "1"]) {
    $("countdown").textContent = `Get ready… ${n}`;
    await sleep(500);
  }
}

/** A recording of the clip length the Sounds view has set, as a WAV blob. */
async function recordClip() {
  const mic = await microphone();
  await countdown();
  $("countdown").textContent = "";
  say("Recording…");
  const samples = await record(mic, Number($("clip-seconds").value));
  say("");
  return wav(samples, mic.rate);
}

let busy = false;
async function recordInto(label) {
  if (busy) return;
  busy = true;
  $("recorder").hidden = false;
  try {
    const mic = await attempt(microphone);
    if (!mic) return;
    const seconds = Number($("clip-seconds").value);
    const times = $("record-five").checked ? 5 : 1;
    for (let i = 0; i < times; i++) {
      await countdown();
      $("countdown").textContent = times > 1 ? `Recording ${i + 1} of ${times}…` : "Recording…";
      const samples = await record(mic, seconds);
      $("countdown").textContent = "Saved.";
      const clip = await attempt(() =>
        api("POST", labelUrl(label, "/clips?source=rec&filename=recording.wav"), wav(samples, mic.rate), "audio/wav"),
      );
      if (!clip) break;
      spectrogramCache.set(`${label}/${clip.id}`, clip.spectrogram);
      await attempt(refresh);
      if (clip.warnings.length) say(`Clip saved. ${clip.warnings.join("; ")}`);
    }
  } finally {
    $("countdown").textContent = "";
    $("recorder").hidden = true;
    busy = false;
  }
}

// --- training ------------------------------------------------------------------------

function renderSettings(settings) {
  const form = $("settings-form");
  for (const [name, value] of Object.entries(settings)) {
    const input = form.elements[name];
    if (input && document.activeElement !== input) input.value = value;
  }
}

async function saveSettings(event) {
  event.preventDefault();
  const form = $("settings-form");
  const body = {};
  for (const name of ["epochs", "batch_size"]) body[name] = parseInt(form.elements[name].value, 10);
  for (const name of ["learning_rate", "train_fraction"]) body[name] = Number(form.elements[name].value);
  body.optimizer = form.elements.optimizer.value;
  if (await attempt(() => api("PUT", projectUrl("/settings"), body))) say("Settings saved.");
}

const STAGES = { loading: "Reading the clips", features: "Listening to every clip", "validation fit": "Learning (check run)", "final fit": "Learning (final)", starting: "Starting" };

// Live loss and accuracy: one point per epoch of the fit that is running.
const chart = { stage: null, points: [] };

function addMetrics(event) {
  if (event.stage !== chart.stage) {
    chart.stage = event.stage;
    chart.points = [];
  }
  chart.points.push([event.epoch, event.loss, event.accuracy]);
  const [name, which] = event.stage.split(" (");
  const stage = `${STAGES[name] || name}${which ? ` (head ${which}` : ""}`;
  drawChart(chart.points, `${stage}: epoch ${event.epoch}, loss ${event.loss.toFixed(3)}, accuracy ${Math.round(event.accuracy * 100)}% on the training clips`);
}

function drawChart(points, caption) {
  $("train-chart-box").hidden = !points.length;
  $("train-chart-text").textContent = caption;
  const canvas = $("train-chart");
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const pad = 28;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = "#c9c9d6";
  ctx.strokeRect(pad, 6, width - pad - 6, height - pad - 6);
  ctx.fillStyle = "#555566";
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText("epochs →", width - 70, height - 8);
  if (!points.length) return;
  const last = points[points.length - 1][0];
  const maxLoss = Math.max(...points.map((p) => p[1]), 1e-6);
  const x = (epoch) => pad + ((width - pad - 8) * (epoch - 1)) / Math.max(1, last - 1);
  const y = (v) => 6 + (height - pad - 8) * (1 - v);
  const line = (colour, value, dash) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(x(p[0]), y(value(p))) : ctx.moveTo(x(p[0]), y(value(p)))));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line("#a8002a", (p) => p[1] / maxLoss, [6, 4]);
  line("#166534", (p) => p[2], []);
  ctx.fillStyle = "#166534";
  ctx.fillText("accuracy", pad + 6, 20);
  ctx.fillStyle = "#a8002a";
  ctx.fillText("loss (dashed)", pad + 80, 20);
}

function renderTraining(job) {
  const running = Boolean(job);
  $("train-button").disabled = running || !state.project;
  $("cancel-button").hidden = !running;
  $("train-progress").hidden = !running;
  if (running) {
    $("train-stage").textContent = `${STAGES[job.stage] || job.stage}…`;
    $("train-bar").value = job.total ? job.done / job.total : 0;
  }
}

function renderResult(summary) {
  const box = $("train-result");
  if (!summary) {
    box.replaceChildren(el("p", { class: "hint", text: "Not trained yet." }));
    return;
  }
  const parts = [el("h3", { text: "Result" })];
  if (summary.validation_accuracy === null) {
    parts.push(el("p", { text: "Trained. There were too few clips to keep some aside for checking." }));
  } else {
    const pct = Math.round(summary.validation_accuracy * 100);
    parts.push(el("p", { class: "big", text: `${pct}% right on ${summary.n_validation_clips} clips it did not learn from.` }));
    parts.push(confusionTable(summary.labels, summary.confusion_matrix, "Which label each check clip got"));
  }
  if (summary.misclassified && summary.misclassified.length) {
    parts.push(el("h4", { text: "Clips it got wrong" }));
    parts.push(
      el(
        "ul",
        {},
        ...summary.misclassified.map((m) =>
          el(
            "li",
            {},
            el("span", { text: `${m.label}: heard as ${m.predicted} ` }),
            el("button", { text: "▶ Play", "aria-label": `Play ${m.label} clip heard as ${m.predicted}`, onclick: () => play(labelUrl(m.label, `/clips/${encodeURIComponent(m.clip)}/audio`)) }),
          ),
        ),
      ),
    );
  }
  parts.push(el("p", { class: "hint", text: `Trained ${summary.trained_at} in ${summary.seconds} s.` }));
  if (!state.data.training && summary.curve && summary.curve.length) {
    const [epoch, loss, accuracy] = summary.curve[summary.curve.length - 1];
    drawChart(summary.curve, `Last training: ${epoch} epochs, ending at loss ${loss.toFixed(3)} and accuracy ${Math.round(accuracy * 100)}% on the training clips`);
  }
  for (const w of summary.warnings || []) parts.push(el("p", { class: "warning", text: `⚠ ${w}` }));
  box.replaceChildren(...parts);
}

function confusionTable(labels, matrix, caption) {
  const head = el("tr", {}, el("th", { scope: "col", text: "true ↓ / heard as →" }), ...labels.map((l) => el("th", { scope: "col", text: l })));
  const rows = labels.map((label, i) =>
    el("tr", {}, el("th", { scope: "row", text: label }), ...matrix[i].map((n, j) => el("td", { class: n && i === j ? "right" : n ? "wrong" : "", text: String(n) }))),
  );
  return el("table", { class: "confusion" }, el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, ...rows));
}

async function train() {
  const job = await attempt(() => api("POST", projectUrl("/train")));
  if (job) {
    state.data.training = job;
    renderTraining(job);
    say("Training…");
  }
}

async function cancelTraining() {
  await attempt(() => api("POST", projectUrl("/train/cancel")));
}

// --- testing -------------------------------------------------------------------------

function renderTruth(data) {
  const select = $("truth");
  const keep = select.value;
  select.replaceChildren(el("option", { value: "", text: "(not saying)" }), ...data.labels.map((l) => el("option", { value: l.name, text: l.name })));
  select.value = data.labels.some((l) => l.name === keep) ? keep : "";
}

function bars(result) {
  return result.map(([label, confidence]) =>
    el(
      "div",
      { class: "bar-row" },
      el("span", { class: "bar-label", text: label }),
      el("meter", { min: "0", max: "1", value: String(confidence), "aria-label": `${label} confidence` }),
      el("span", { class: "bar-value", text: `${Math.round(confidence * 100)}%` }),
    ),
  );
}

async function classifyBlob(blob, filename) {
  return api("POST", projectUrl(`/classify?filename=${encodeURIComponent(filename)}`), blob, "application/octet-stream");
}

async function showTest(blob, filename) {
  const answer = await attempt(() => classifyBlob(blob, filename));
  if (!answer) return;
  const [top] = answer.result;
  const box = $("test-result");
  box.replaceChildren(el("p", { class: "big", text: `It sounds like: ${top[0]}` }), ...bars(answer.result));
  const truth = $("truth").value;
  state.history.unshift({ truth, heard: top[0], confidence: top[1], what: filename });
  renderHistory();
}

function renderHistory() {
  const rows = state.history.map((h) =>
    el("tr", {}, el("td", { text: h.what }), el("td", { text: h.truth || "?" }), el("td", { text: h.heard }), el("td", { text: `${Math.round(h.confidence * 100)}%` })),
  );
  const parts = [];
  if (rows.length) {
    parts.push(
      el("table", {}, el("thead", {}, el("tr", {}, ...["clip", "right answer", "heard as", "confidence"].map((t) => el("th", { scope: "col", text: t })))), el("tbody", {}, ...rows)),
    );
    const judged = state.history.filter((h) => h.truth);
    const labels = state.data.labels.map((l) => l.name);
    if (judged.length) {
      const matrix = labels.map(() => labels.map(() => 0));
      for (const h of judged) {
        const i = labels.indexOf(h.truth);
        const j = labels.indexOf(h.heard);
        if (i >= 0 && j >= 0) matrix[i][j] += 1;
      }
      const right = judged.filter((h) => h.truth === h.heard).length;
      parts.push(el("p", { text: `${right} of ${judged.length} right.` }));
      parts.push(confusionTable(labels, matrix, "Your tests"));
    }
  }
  $("test-history").replaceChildren(...parts);
}

async function testRecord() {
  const mic = await attempt(microphone);
  if (!mic) return;
  $("test-record").disabled = true;
  try {
    await countdown();
    $("countdown").textContent = "";
    say("Recording…");
    const samples = await record(mic, Number($("clip-seconds").value));
    say("");
    await showTest(wav(samples, mic.rate), "test recording");
  } finally {
    $("test-record").disabled = false;
  }
}

let listening = null;
async function toggleListening() {
  if (listening) {
    listening.stop = true;
    listening = null;
    $("listen-button").textContent = "Start listening";
    $("listen-result").textContent = "";
    return;
  }
  const mic = await attempt(microphone);
  if (!mic) return;
  const overlap = Math.min(0.95, Math.max(0, Number($("overlap").value) || 0));
  const minimum = Math.min(1, Math.max(0, Number($("min-confidence").value) || 0));
  const windowSeconds = 1;
  const hopMs = Math.max(50, windowSeconds * (1 - overlap) * 1000);
  const session = { stop: false };
  listening = session;
  $("listen-button").textContent = "Stop listening";
  (async () => {
    while (!session.stop) {
      const started = performance.now();
      const samples = latest(mic, Math.round(windowSeconds * mic.rate));
      try {
        const answer = await classifyBlob(wav(samples, mic.rate), "listening");
        if (session.stop) break;
        const [label, confidence] = answer.result[0];
        $("listen-result").textContent =
          confidence >= minimum ? `${label} (${Math.round(confidence * 100)}%)` : `… (nothing above ${Math.round(minimum * 100)}%)`;
      } catch (err) {
        problem(err.message);
        break;
      }
      await sleep(Math.max(0, hopMs - (performance.now() - started)));
    }
  })();
}

// --- export --------------------------------------------------------------------------

async function buildAix() {
  const button = $("build-aix");
  button.disabled = true;
  say("Building the extension… (this takes a few seconds)");
  const box = $("aix-result");
  box.replaceChildren(el("progress", { "aria-label": "Building the extension" }));
  const report = await attempt(() => api("POST", projectUrl("/export/aix")));
  button.disabled = false;
  say("");
  if (!report) {
    box.replaceChildren();
    return;
  }
  const parts = [
    el("p", {}, el("a", { href: projectUrl("/export/aix"), download: report.file, text: `Download ${report.file}` }), el("span", { text: ` (${(report.size_bytes / 1e6).toFixed(1)} MB, labels: ${report.labels.join(", ")})` })),
  ];
  if (report.companion) {
    parts.push(el("p", { class: "ok", text: "✔ Ready for the App Inventor Companion and for built apps." }));
  } else {
    parts.push(
      el("p", { class: "warning", text: "⚠ The Companion cannot load this file yet: it has no classes.jar, because this computer has no Android dexer (d8). Built apps (Build > Android App) work." }),
      el("button", { id: "get-d8", text: "Get d8 and build again…", onclick: getD8 }),
      el("p", { class: "hint", text: "Or run pac get-d8 in a terminal, then build again." }),
    );
  }
  box.replaceChildren(...parts);
}

async function getD8() {
  const info = await attempt(() => api("GET", "/api/d8"));
  if (!info) return;
  const ok = confirm(
    `This downloads r8 ${info.version}, Google's Android dexer (it contains d8; about 20 MB, Apache-2.0), from\n${info.url}\n` +
      "checks it, and keeps it on this computer. It needs Java. Download it?",
  );
  if (!ok) return;
  $("get-d8").disabled = true;
  say("Downloading d8…");
  const done = await attempt(() => api("POST", "/api/d8", { consent: true }));
  say("");
  if (done) await buildAix();
  else $("get-d8").disabled = false;
}

// --- phone ---------------------------------------------------------------------------

function renderPhone(phone) {
  const info = $("phone-info");
  if (phone.error) {
    info.replaceChildren(el("p", { class: "warning", text: phone.error }));
    return;
  }
  if (!phone.running) {
    info.replaceChildren(el("p", { class: "hint", text: state.data && state.data.has_model ? "Press the button to let phones use this project's model." : "Train a model first." }));
  } else if (phone.project !== state.project) {
    info.replaceChildren(el("p", { class: "hint", text: `Phones are using the project ${phone.project}. Press the button to switch them to this one.` }));
  } else if (!phone.urls.length) {
    info.replaceChildren(el("p", { class: "warning", text: "No network: this computer has no address a phone can reach. Connect it to the same Wi-Fi as the phone." }));
  } else {
    info.replaceChildren(
      el("p", { text: "In your app, set the classifier's BridgeUrl to this (or scan the QR code):" }),
      ...phone.urls.map((u) =>
        el(
          "div",
          { class: "pairing" },
          el("img", { src: `/api/phone/qr.svg?url=${encodeURIComponent(u.url)}`, alt: `QR code for ${u.url}?code=${phone.code}`, width: "180", height: "180" }),
          el("p", {}, el("code", { text: `${u.url}?code=${phone.code}` }), el("span", { class: "hint", text: u.interface ? ` (${u.interface})` : "" })),
        ),
      ),
      el("p", {}, el("span", { text: "Pairing code: " }), el("strong", { class: "code", text: phone.code })),
    );
  }
  const devices = phone.devices.map((d) =>
    el("tr", {}, el("td", { text: d.client || "phone" }), el("td", { text: d.address }), el("td", { text: new Date(d.last_seen * 1000).toLocaleTimeString() })),
  );
  $("phone-devices").replaceChildren(
    devices.length
      ? el("table", {}, el("thead", {}, el("tr", {}, ...["device", "address", "last seen"].map((t) => el("th", { scope: "col", text: t })))), el("tbody", {}, ...devices))
      : el("p", { text: "None yet." }),
  );
  $("phone-feed").replaceChildren(...phone.feed.map((f) => el("li", { text: `${new Date(f.time * 1000).toLocaleTimeString()} ${f.client || "phone"}: ${f.outcome}` })));
}

async function openPhone() {
  const phone = await attempt(() => api("GET", "/api/phone"));
  if (!phone) return;
  // The first time, phones get the open project's model without a click.
  if (!phone.running && !phone.error && state.data && state.data.has_model) await startPhone();
  else renderPhone(phone);
}

async function startPhone() {
  const phone = await attempt(() => api("POST", projectUrl("/phone")));
  if (phone) renderPhone(phone);
}

// --- live events ---------------------------------------------------------------------

function listen() {
  const events = new EventSource("/api/events");
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "projects") {
      attempt(() => loadProjects(state.project));
      return;
    }
    if (event.type === "d8") {
      say(`Downloading d8… ${(event.bytes / 1e6).toFixed(1)} MB`);
      return;
    }
    if (event.type === "phone") {
      renderPhone(event);
      return;
    }
    if (event.project !== state.project || !state.data) return;
    if (event.type === "project") refreshSoon();
    else if (event.type === "training_metrics") addMetrics(event);
    else if (event.type === "training") {
      state.data.training = event;
      renderTraining(event);
    } else if (event.type === "trained") {
      state.data.training = null;
      say(`Trained: ${event.summary.validation_accuracy === null ? "done" : Math.round(event.summary.validation_accuracy * 100) + "% right on the check clips"}.`);
      refreshSoon();
    } else if (event.type === "train_failed") {
      state.data.training = null;
      renderTraining(null);
      problem(`Training did not work: ${event.error}`);
    } else if (event.type === "train_cancelled") {
      state.data.training = null;
      renderTraining(null);
      say("Training cancelled. The last model is still there.");
    }
  };
}

// --- start ---------------------------------------------------------------------------

function start() {
  setUpTabs();
  setUpTry({ project: () => state.project, api, problem, say, microphone: recordClip });
  $("add-label-form").addEventListener("submit", addLabel);
  $("settings-form").addEventListener("submit", saveSettings);
  $("train-button").addEventListener("click", train);
  $("cancel-button").addEventListener("click", cancelTraining);
  $("test-record").addEventListener("click", testRecord);
  $("test-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) showTest(file, file.name);
    event.target.value = "";
  });
  $("listen-button").addEventListener("click", toggleListening);
  $("build-aix").addEventListener("click", buildAix);
  $("phone-start").addEventListener("click", startPhone);
  $("project-select").addEventListener("change", (event) => attempt(() => openProject(event.target.value)));
  $("new-project-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("new-project-name").value;
    const made = await attempt(() => api("POST", "/api/projects", { name }));
    if (made) {
      $("new-project-name").value = "";
      await attempt(() => loadProjects(made.name));
    }
  });
  const wanted = decodeURIComponent((location.hash.match(/project=([^&]*)/) || [])[1] || "");
  listen();
  attempt(() => loadProjects(wanted));
}

start();
