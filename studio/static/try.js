// "Try the extension": the built .aix's own WebView page runs in a frame, and this module
// plays the component's Java side by the message contract (extension/js/src/messages.js,
// docs/extension.md): it decodes clips as AudioDecoder does (float32 PCM at the file's own
// rate, through the studio), feeds the microphone as Recorder does (16-bit PCM at 16 kHz,
// the next chunk only after ListenChunkDone), and turns the page's messages into the
// events a student's blocks get, in order, with their times.

import { $, el } from "./dom.js";

const PAGE_START_MS = 10_000; // the component's watchdogs (PersonalAudioClassifier.java)
const MODEL_LOAD_MS = 60_000;
const LISTEN_RATE_HZ = 16_000;
const INVALID_ARGUMENT = -17;
const PAGE_FAILED = -19;

let deps = null;
const events = [];
let frame = null;
let ready = false;
let nextId = 1;
let session = 0;
let listening = null;
let watchdog = null;

function page() {
  return frame && frame.contentWindow && frame.contentWindow.pac;
}

function clock(date) {
  return date.toTimeString().slice(0, 8) + "." + String(date.getMilliseconds()).padStart(3, "0");
}

/** One event as the blocks get it: its name and its parameters. */
function fire(name, args) {
  const now = new Date();
  const entry = { time: now.toISOString(), event: name, ...args };
  events.push(entry);
  const text = Object.entries(args)
    .map(([key, value]) => `${key} = ${JSON.stringify(value)}`)
    .join(", ");
  $("try-log").append(el("li", { class: `event ${name}` }, el("time", { datetime: entry.time, text: clock(now) }), el("strong", { text: ` ${name}` }), el("code", { text: text ? ` ${text}` : "" })));
}

function setState(text) {
  $("try-state").textContent = text;
}

function failPage(message) {
  clearTimeout(watchdog);
  fire("Error", { errorCode: PAGE_FAILED, message });
}

// What addJavascriptInterface gives the page: post(json), called by the page's scripts.
const javaSide = {
  post(json) {
    const message = JSON.parse(json);
    switch (message.type) {
      case "PageStarted":
        clearTimeout(watchdog);
        watchdog = setTimeout(() => failPage("the classifier did not load its model in 60 s"), MODEL_LOAD_MS);
        setState("The extension's page started; loading the model…");
        break;
      case "ClassifierReady":
        clearTimeout(watchdog);
        ready = true;
        $("try-blocks").disabled = false;
        setState(`Ready. Model ${message.model}: ${message.labels.join(", ")}`);
        fire("ClassifierReady", {});
        break;
      case "GotClassification":
        if (stale(message.id)) return;
        fire("GotClassification", { result: message.result });
        break;
      case "Error":
        if (stale(message.id)) return;
        fire("Error", { errorCode: message.code, message: message.message });
        break;
      case "ListenChunkDone":
        if (listening && message.id === `listening-${listening.session}`) listening.done();
        break;
      default:
        break;
    }
  },
  failed(message) {
    failPage(`the extension's page could not start: ${message}`);
  },
};

/** Java drops what a stopped listening still sends (its ids carry the session). */
function stale(id) {
  const match = /^listening-(\d+)/.exec(id || "");
  return Boolean(match) && (!listening || Number(match[1]) !== listening.session);
}

async function startPage() {
  const project = deps.project();
  if (!project) return;
  deps.problem("");
  if (!navigator.serviceWorker) {
    deps.problem("This browser cannot run the extension's page here (no service workers).");
    return;
  }
  await stopListening();
  ready = false;
  $("try-blocks").disabled = true;
  setState("Starting the extension's page…");
  const registration = await navigator.serviceWorker.register("/try/sw.js", { scope: "/try/" });
  await activated(registration);
  window.pacJavaSide = javaSide;
  if (frame) frame.remove();
  frame = el("iframe", { title: "The extension's hidden page", hidden: "" });
  $("try-frame").replaceWith(frame);
  frame.id = "try-frame";
  clearTimeout(watchdog);
  watchdog = setTimeout(() => failPage("the classifier's page did not start in 10 s"), PAGE_START_MS);
  frame.src = `/try/${encodeURIComponent(project)}/assets/try-host.html`;
}

function activated(registration) {
  return new Promise((resolve) => {
    const worker = registration.installing || registration.waiting || registration.active;
    if (worker.state === "activated") resolve();
    else worker.addEventListener("statechange", () => worker.state === "activated" && resolve());
  });
}

// --- the blocks --------------------------------------------------------------------------

async function classifySoundData(blob, name) {
  if (!page()) return;
  const id = String(nextId++);
  const response = await fetch(`/api/projects/${encodeURIComponent(deps.project())}/try/decode?filename=${encodeURIComponent(name)}`, {
    method: "POST",
    body: blob,
    headers: { "Content-Type": "application/octet-stream" },
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    fire("Error", { errorCode: answer.code ?? -13, message: answer.error || response.statusText });
    return;
  }
  const rate = Number(response.headers.get("X-Sample-Rate"));
  const url = URL.createObjectURL(new Blob([await response.arrayBuffer()]));
  page().classify(id, url, rate, -1, -1);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function checked(input, name, max) {
  const value = Number(input.value);
  if (!(value >= 0 && value <= max)) {
    fire("Error", { errorCode: INVALID_ARGUMENT, message: `${name} must be from 0 to ${max}, got ${input.value}` });
    return null;
  }
  return value;
}

async function startListening() {
  if (!page() || listening) return;
  const overlap = checked($("try-overlap"), "OverlapFactor", 0.9);
  const confidence = checked($("try-confidence"), "MinimumConfidence", 1);
  if (overlap === null || confidence === null) return;
  let context;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    context = new AudioContext({ sampleRate: LISTEN_RATE_HZ });
    await context.audioWorklet.addModule("/static/recorder-worklet.js");
    const node = new AudioWorkletNode(context, "pac-recorder");
    context.createMediaStreamSource(stream).connect(node);
    session += 1;
    const l = { session, context, stream, gathered: [], waiting: false };
    l.send = () => {
      if (!l.gathered.length || l.waiting || listening !== l) return;
      const samples = l.gathered.splice(0);
      l.waiting = true;
      page().listenChunk(pcm16Base64(samples), LISTEN_RATE_HZ, l.session);
    };
    l.done = () => {
      l.waiting = false;
      l.send();
    };
    node.port.onmessage = (event) => {
      l.gathered.push(event.data);
      l.send();
    };
    listening = l;
    page().startListening(overlap, confidence, session);
  } catch (err) {
    if (context) context.close();
    fire("Error", { errorCode: -16, message: `the microphone could not be opened: ${err.message}` });
  }
}

async function stopListening() {
  const l = listening;
  listening = null;
  if (!l) return;
  if (page()) page().stopListening();
  l.stream.getTracks().forEach((track) => track.stop());
  await l.context.close();
}

function pcm16Base64(blocks) {
  const n = blocks.reduce((sum, b) => sum + b.length, 0);
  const bytes = new Uint8Array(2 * n);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const block of blocks) {
    for (let i = 0; i < block.length; i++, at += 2) {
      const v = Math.max(-1, Math.min(1, block[i]));
      view.setInt16(at, v < 0 ? v * 0x8000 : v * 0x7fff, true);
    }
  }
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function exportLog() {
  const blob = new Blob([JSON.stringify({ project: deps.project(), events }, null, 2)], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `${deps.project()} events.json` });
  document.body.append(link);
  link.click();
  link.remove();
}

export function setUpTry(dependencies) {
  deps = dependencies;
  $("try-start").addEventListener("click", () => startPage().catch((err) => deps.problem(err.message)));
  $("try-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) classifySoundData(file, file.name).catch((err) => deps.problem(err.message));
    event.target.value = "";
  });
  $("try-record").addEventListener("click", async () => {
    const blob = await deps.microphone().catch((err) => deps.problem(err.message));
    if (blob) await classifySoundData(blob, "recording.wav");
  });
  $("try-listen").addEventListener("click", () => startListening());
  $("try-stop").addEventListener("click", () => stopListening());
  $("try-bridge-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (page()) page().useBridge($("try-bridge").value.trim());
  });
  $("try-export").addEventListener("click", exportLog);
  $("try-clear").addEventListener("click", () => {
    events.length = 0;
    $("try-log").replaceChildren();
  });
}

export function tryIsReady() {
  return ready;
}
